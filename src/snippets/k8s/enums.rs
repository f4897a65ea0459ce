//! Enumerations the Kubernetes OpenAPI documents leave out.
//!
//! The vendored schemas only say "string" for fields such as a Service's `type` or a
//! container's `imagePullPolicy`: their valid values live in the API's Go code and in prose
//! ("Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer"). These are the
//! ones posts use most, written down from the Kubernetes API reference, and added to the
//! definitions when a kind is compiled. A field missing from a version is left alone.

use serde_json::{Map, Value};

const PROTOCOLS: &[&str] = &["TCP", "UDP", "SCTP"];
const TAINT_EFFECTS: &[&str] = &["NoSchedule", "PreferNoSchedule", "NoExecute"];
const SELECTOR_OPERATORS: &[&str] = &["In", "NotIn", "Exists", "DoesNotExist"];
const ACCESS_MODES: &[&str] = &[
    "ReadWriteOnce",
    "ReadOnlyMany",
    "ReadWriteMany",
    "ReadWriteOncePod",
];

/// (definition, property, values, whether the property is a list of these values).
pub const ENUMS: &[(&str, &str, &[&str], bool)] = &[
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "type",
        &["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"],
        false,
    ),
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "externalTrafficPolicy",
        &["Cluster", "Local"],
        false,
    ),
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "internalTrafficPolicy",
        &["Cluster", "Local"],
        false,
    ),
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "sessionAffinity",
        &["ClientIP", "None"],
        false,
    ),
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "ipFamilyPolicy",
        &["SingleStack", "PreferDualStack", "RequireDualStack"],
        false,
    ),
    (
        "io.k8s.api.core.v1.ServicePort",
        "protocol",
        PROTOCOLS,
        false,
    ),
    (
        "io.k8s.api.core.v1.ContainerPort",
        "protocol",
        PROTOCOLS,
        false,
    ),
    (
        "io.k8s.api.networking.v1.NetworkPolicyPort",
        "protocol",
        PROTOCOLS,
        false,
    ),
    (
        "io.k8s.api.networking.v1.NetworkPolicySpec",
        "policyTypes",
        &["Ingress", "Egress"],
        true,
    ),
    (
        "io.k8s.api.core.v1.Container",
        "imagePullPolicy",
        &["Always", "Never", "IfNotPresent"],
        false,
    ),
    (
        "io.k8s.api.core.v1.Container",
        "terminationMessagePolicy",
        &["File", "FallbackToLogsOnError"],
        false,
    ),
    (
        "io.k8s.api.core.v1.EphemeralContainer",
        "imagePullPolicy",
        &["Always", "Never", "IfNotPresent"],
        false,
    ),
    (
        "io.k8s.api.core.v1.PodSpec",
        "restartPolicy",
        &["Always", "OnFailure", "Never"],
        false,
    ),
    (
        "io.k8s.api.core.v1.PodSpec",
        "dnsPolicy",
        &["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"],
        false,
    ),
    (
        "io.k8s.api.core.v1.PodSpec",
        "preemptionPolicy",
        &["PreemptLowerPriority", "Never"],
        false,
    ),
    (
        "io.k8s.api.core.v1.Toleration",
        "operator",
        &["Exists", "Equal"],
        false,
    ),
    (
        "io.k8s.api.core.v1.Toleration",
        "effect",
        TAINT_EFFECTS,
        false,
    ),
    ("io.k8s.api.core.v1.Taint", "effect", TAINT_EFFECTS, false),
    (
        "io.k8s.api.core.v1.NodeSelectorRequirement",
        "operator",
        &["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"],
        false,
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement",
        "operator",
        SELECTOR_OPERATORS,
        false,
    ),
    (
        "io.k8s.api.core.v1.TopologySpreadConstraint",
        "whenUnsatisfiable",
        &["DoNotSchedule", "ScheduleAnyway"],
        false,
    ),
    (
        "io.k8s.api.core.v1.SeccompProfile",
        "type",
        &["Localhost", "RuntimeDefault", "Unconfined"],
        false,
    ),
    (
        "io.k8s.api.core.v1.PersistentVolumeClaimSpec",
        "accessModes",
        ACCESS_MODES,
        true,
    ),
    (
        "io.k8s.api.core.v1.PersistentVolumeClaimSpec",
        "volumeMode",
        &["Filesystem", "Block"],
        false,
    ),
    (
        "io.k8s.api.core.v1.PersistentVolumeSpec",
        "accessModes",
        ACCESS_MODES,
        true,
    ),
    (
        "io.k8s.api.core.v1.PersistentVolumeSpec",
        "persistentVolumeReclaimPolicy",
        &["Retain", "Delete", "Recycle"],
        false,
    ),
    (
        "io.k8s.api.apps.v1.DeploymentStrategy",
        "type",
        &["Recreate", "RollingUpdate"],
        false,
    ),
    (
        "io.k8s.api.apps.v1.StatefulSetSpec",
        "podManagementPolicy",
        &["OrderedReady", "Parallel"],
        false,
    ),
    (
        "io.k8s.api.apps.v1.StatefulSetUpdateStrategy",
        "type",
        &["RollingUpdate", "OnDelete"],
        false,
    ),
    (
        "io.k8s.api.apps.v1.DaemonSetUpdateStrategy",
        "type",
        &["RollingUpdate", "OnDelete"],
        false,
    ),
    (
        "io.k8s.api.batch.v1.CronJobSpec",
        "concurrencyPolicy",
        &["Allow", "Forbid", "Replace"],
        false,
    ),
    (
        "io.k8s.api.batch.v1.JobSpec",
        "completionMode",
        &["NonIndexed", "Indexed"],
        false,
    ),
    (
        "io.k8s.api.networking.v1.HTTPIngressPath",
        "pathType",
        &["Exact", "Prefix", "ImplementationSpecific"],
        false,
    ),
    (
        "io.k8s.api.autoscaling.v2.MetricSpec",
        "type",
        &[
            "ContainerResource",
            "External",
            "Object",
            "Pods",
            "Resource",
        ],
        false,
    ),
    (
        "io.k8s.api.autoscaling.v2.MetricTarget",
        "type",
        &["Utilization", "Value", "AverageValue"],
        false,
    ),
    (
        "io.k8s.api.policy.v1.PodDisruptionBudgetSpec",
        "unhealthyPodEvictionPolicy",
        &["IfHealthyBudget", "AlwaysAllow"],
        false,
    ),
    (
        "io.k8s.api.storage.v1.StorageClass",
        "reclaimPolicy",
        &["Delete", "Retain"],
        false,
    ),
    (
        "io.k8s.api.storage.v1.StorageClass",
        "volumeBindingMode",
        &["Immediate", "WaitForFirstConsumer"],
        false,
    ),
];

/// A fingerprint of the table, for cache keys.
pub fn fingerprint() -> String {
    blake3::hash(format!("{ENUMS:?}").as_bytes())
        .to_hex()
        .to_string()
}

/// Adds the enumerations to the definitions present in `defs`.
pub fn apply(defs: &mut Map<String, Value>) {
    for (definition, property, values, list) in ENUMS {
        let Some(schema) = defs
            .get_mut(*definition)
            .and_then(|d| d.get_mut("properties"))
            .and_then(|p| p.get_mut(*property))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        let target = if *list {
            match schema.get_mut("items").and_then(Value::as_object_mut) {
                Some(items) => items,
                None => continue,
            }
        } else {
            schema
        };
        if target.contains_key("enum") || target.contains_key("$ref") {
            continue;
        }
        // The strict schemas let every field be null (`type: [string, null]`); keep that.
        let mut allowed: Vec<Value> = values.iter().map(|v| Value::from(*v)).collect();
        allowed.push(Value::Null);
        target.insert("enum".into(), Value::Array(allowed));
    }
}

#[cfg(test)]
mod tests {
    use super::ENUMS;
    use crate::snippets::k8s::Store;

    #[test]
    fn every_enumerated_field_exists_in_the_newest_version() {
        let store = Store::vendored();
        let version = store.version("1.37");
        for (definition, property, _, _) in ENUMS {
            assert!(
                version.has_property(definition, property),
                "{definition}.{property} is not in Kubernetes 1.37"
            );
        }
    }
}
