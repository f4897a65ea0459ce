//! Removed Kubernetes APIs: `extensions/v1beta1 Ingress` must say "removed in 1.22, use
//! networking.k8s.io/v1", not "no schema".
//!
//! Two sources: the removals before the oldest vendored version (1.25), from the Kubernetes
//! deprecated API migration guide, written down here; and the removals between vendored
//! versions, read from the vendored schemas themselves (served by an older version, not by the
//! pinned one).

use super::store::{Store, VERSIONS};

/// (apiVersion, kind or "*", removed in, replacement apiVersion or "").
const REMOVED: &[(&str, &str, &str, &str)] = &[
    (
        "extensions/v1beta1",
        "Ingress",
        "1.22",
        "networking.k8s.io/v1",
    ),
    ("extensions/v1beta1", "Deployment", "1.16", "apps/v1"),
    ("extensions/v1beta1", "DaemonSet", "1.16", "apps/v1"),
    ("extensions/v1beta1", "ReplicaSet", "1.16", "apps/v1"),
    (
        "extensions/v1beta1",
        "NetworkPolicy",
        "1.16",
        "networking.k8s.io/v1",
    ),
    ("extensions/v1beta1", "PodSecurityPolicy", "1.16", ""),
    ("apps/v1beta1", "*", "1.16", "apps/v1"),
    ("apps/v1beta2", "*", "1.16", "apps/v1"),
    (
        "networking.k8s.io/v1beta1",
        "Ingress",
        "1.22",
        "networking.k8s.io/v1",
    ),
    (
        "networking.k8s.io/v1beta1",
        "IngressClass",
        "1.22",
        "networking.k8s.io/v1",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "*",
        "1.22",
        "rbac.authorization.k8s.io/v1",
    ),
    (
        "rbac.authorization.k8s.io/v1alpha1",
        "*",
        "1.22",
        "rbac.authorization.k8s.io/v1",
    ),
    (
        "apiextensions.k8s.io/v1beta1",
        "CustomResourceDefinition",
        "1.22",
        "apiextensions.k8s.io/v1",
    ),
    (
        "apiregistration.k8s.io/v1beta1",
        "APIService",
        "1.22",
        "apiregistration.k8s.io/v1",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
        "1.22",
        "admissionregistration.k8s.io/v1",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
        "1.22",
        "admissionregistration.k8s.io/v1",
    ),
    (
        "authentication.k8s.io/v1beta1",
        "TokenReview",
        "1.22",
        "authentication.k8s.io/v1",
    ),
    (
        "authorization.k8s.io/v1beta1",
        "*",
        "1.22",
        "authorization.k8s.io/v1",
    ),
    (
        "certificates.k8s.io/v1beta1",
        "CertificateSigningRequest",
        "1.22",
        "certificates.k8s.io/v1",
    ),
    (
        "coordination.k8s.io/v1beta1",
        "Lease",
        "1.22",
        "coordination.k8s.io/v1",
    ),
    (
        "scheduling.k8s.io/v1beta1",
        "PriorityClass",
        "1.22",
        "scheduling.k8s.io/v1",
    ),
    (
        "scheduling.k8s.io/v1alpha1",
        "PriorityClass",
        "1.17",
        "scheduling.k8s.io/v1",
    ),
    (
        "storage.k8s.io/v1beta1",
        "CSIDriver",
        "1.22",
        "storage.k8s.io/v1",
    ),
    (
        "storage.k8s.io/v1beta1",
        "CSINode",
        "1.22",
        "storage.k8s.io/v1",
    ),
    (
        "storage.k8s.io/v1beta1",
        "StorageClass",
        "1.22",
        "storage.k8s.io/v1",
    ),
    (
        "storage.k8s.io/v1beta1",
        "VolumeAttachment",
        "1.22",
        "storage.k8s.io/v1",
    ),
    (
        "storage.k8s.io/v1beta1",
        "CSIStorageCapacity",
        "1.27",
        "storage.k8s.io/v1",
    ),
    ("batch/v1beta1", "CronJob", "1.25", "batch/v1"),
    ("batch/v2alpha1", "CronJob", "1.21", "batch/v1"),
    (
        "discovery.k8s.io/v1beta1",
        "EndpointSlice",
        "1.25",
        "discovery.k8s.io/v1",
    ),
    ("events.k8s.io/v1beta1", "Event", "1.25", "events.k8s.io/v1"),
    (
        "autoscaling/v2beta1",
        "HorizontalPodAutoscaler",
        "1.25",
        "autoscaling/v2",
    ),
    (
        "autoscaling/v2beta2",
        "HorizontalPodAutoscaler",
        "1.26",
        "autoscaling/v2",
    ),
    ("policy/v1beta1", "PodDisruptionBudget", "1.25", "policy/v1"),
    ("policy/v1beta1", "PodSecurityPolicy", "1.25", ""),
    (
        "node.k8s.io/v1beta1",
        "RuntimeClass",
        "1.25",
        "node.k8s.io/v1",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "*",
        "1.26",
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1beta2",
        "*",
        "1.29",
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1beta3",
        "*",
        "1.32",
        "flowcontrol.apiserver.k8s.io/v1",
    ),
];

/// Why an API is not there, and what to use instead.
pub struct Removal {
    pub message: String,
    pub hint: String,
}

/// `Some` when `api_version kind` was served by Kubernetes before `version` and is not now.
pub fn find(api_version: &str, kind: &str, version: &str, store: &Store) -> Option<Removal> {
    if store.version(version).has(api_version, kind) {
        return None;
    }
    let pinned = parse(version);
    let known = REMOVED.iter().find(|(a, k, removed_in, _)| {
        *a == api_version && (*k == "*" || *k == kind) && parse(removed_in) <= pinned
    });
    let (removed_in, replacement) = match known {
        Some((_, _, removed_in, replacement)) => {
            ((*removed_in).to_owned(), (*replacement).to_owned())
        }
        // Custom resources never were built in: do not decode every older version for them.
        None if !served_group(api_version, store) => return None,
        None => {
            // Served by an older vendored version? Then it went away in the next one.
            let older: Vec<&&str> = VERSIONS.iter().filter(|v| parse(v) < pinned).collect();
            let last = older
                .iter()
                .rev()
                .find(|v| store.version(v).has(api_version, kind))?;
            let next = VERSIONS
                .iter()
                .find(|v| parse(v) > parse(last))
                .copied()
                .unwrap_or(version);
            (next.to_owned(), String::new())
        }
    };
    let current = store.version(version);
    let served = current.api_versions_of(kind);
    let replacement = if served.is_empty() {
        replacement
    } else {
        served.join(" or ")
    };
    let hint = if replacement.is_empty() {
        format!("{kind} has no replacement API in Kubernetes {version}")
    } else {
        format!("use apiVersion: {replacement}")
    };
    Some(Removal {
        message: format!(
            "{api_version} {kind} was removed in Kubernetes {removed_in} (validating against {version})"
        ),
        hint,
    })
}

/// Whether the API group of `api_version` is built into the newest vendored version (groups
/// are only ever added to Kubernetes, their versions come and go).
fn served_group(api_version: &str, store: &Store) -> bool {
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    let newest = VERSIONS.last().copied().unwrap_or_default();
    store.version(newest).is_builtin_group(group)
}

fn parse(version: &str) -> (u32, u32) {
    let mut parts = version.split('.').map(|p| p.parse().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::find;
    use crate::snippets::k8s::Store;

    #[test]
    fn ingress_in_extensions_is_removed_with_its_replacement() {
        let store = Store::vendored();
        let removal = find("extensions/v1beta1", "Ingress", "1.37", &store).unwrap();
        assert!(
            removal.message.contains("removed in Kubernetes 1.22"),
            "{}",
            removal.message
        );
        assert_eq!(removal.hint, "use apiVersion: networking.k8s.io/v1");
    }

    #[test]
    fn removals_between_vendored_versions_come_from_the_schemas() {
        let store = Store::vendored();
        // flowcontrol v1beta3 was served until 1.31.
        assert!(
            store
                .version("1.29")
                .has("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema")
        );
        let removal = find(
            "flowcontrol.apiserver.k8s.io/v1beta3",
            "FlowSchema",
            "1.37",
            &store,
        )
        .unwrap();
        assert!(removal.message.contains("1.32"), "{}", removal.message);
        assert!(
            find(
                "flowcontrol.apiserver.k8s.io/v1beta3",
                "FlowSchema",
                "1.29",
                &store
            )
            .is_none()
        );
    }

    #[test]
    fn current_apis_are_not_removed() {
        let store = Store::vendored();
        assert!(find("apps/v1", "Deployment", "1.37", &store).is_none());
    }
}
