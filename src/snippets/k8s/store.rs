//! The vendored Kubernetes schemas: `src/snippets/vendor/kubernetes.json.gz`, embedded in the
//! binary (see the README beside it for provenance, licence and how to regenerate it).
//!
//! The file holds a pool of distinct definitions and, per Kubernetes version, a table from
//! definition name to pool index: 13 versions share most definitions, so all of them fit in
//! about 100 KB. Nothing is decompressed until a manifest needs it (a fully cached run never
//! does), and each version's registry and each kind's validator are built once per run.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::sync::{Arc, OnceLock};

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::snippets::schema::{Compiled, Lazy, Shared};

const VENDORED: &[u8] = include_bytes!("../vendor/kubernetes.json.gz");

/// The versions in the vendored file, oldest first; checked against the file by a test.
pub const VERSIONS: &[&str] = &[
    "1.25", "1.26", "1.27", "1.28", "1.29", "1.30", "1.31", "1.32", "1.33", "1.34", "1.35", "1.36",
    "1.37",
];

/// A hash of the vendored file, for cache keys.
pub fn vendored_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| blake3::hash(VENDORED).to_hex().to_string())
        .clone()
}

#[derive(Deserialize)]
struct Raw {
    pool: Vec<Value>,
    versions: BTreeMap<String, BTreeMap<String, usize>>,
}

/// One Kubernetes version: its definitions in a prepared registry, and its kinds.
pub struct Version {
    pub name: String,
    /// `{"$defs": {...}}`: every definition of the version.
    document: Arc<Value>,
    /// (apiVersion, kind) -> definition name.
    kinds: HashMap<(String, String), String>,
    groups: BTreeSet<String>,
}

impl Version {
    pub fn kind(&self, api_version: &str, kind: &str) -> Option<&str> {
        self.kinds
            .get(&(api_version.to_owned(), kind.to_owned()))
            .map(String::as_str)
    }

    pub fn has(&self, api_version: &str, kind: &str) -> bool {
        self.kind(api_version, kind).is_some()
    }

    /// Whether the API group (`apps`, `""` for core) is built into this version.
    pub fn is_builtin_group(&self, group: &str) -> bool {
        self.groups.contains(group)
    }

    /// The apiVersions serving `kind`, sorted.
    pub fn api_versions_of(&self, kind: &str) -> Vec<String> {
        let mut found: Vec<String> = self
            .kinds
            .keys()
            .filter(|(_, k)| k == kind)
            .map(|(a, _)| a.clone())
            .collect();
        found.sort();
        found
    }

    /// (apiVersion, kind, definition) of every kind whose top level has all of `keys`.
    pub fn top_level_kinds(&self, keys: &[&String]) -> Vec<(String, String, String)> {
        let defs = self.document.get("$defs");
        self.kinds
            .iter()
            .filter(|((_, kind), _)| !IGNORED_KINDS.contains(&kind.as_str()))
            .filter(|(_, definition)| {
                let properties = defs
                    .and_then(|d| d.get(definition.as_str()))
                    .and_then(|d| d.get("properties"));
                properties.is_some_and(|p| keys.iter().all(|k| p.get(k.as_str()).is_some()))
            })
            .map(|((api, kind), definition)| (api.clone(), kind.clone(), definition.clone()))
            .collect()
    }

    /// Whether a definition of this version has a property (for the tests of [`super::enums`]).
    pub fn has_property(&self, definition: &str, property: &str) -> bool {
        self.document
            .pointer(&format!("/$defs/{definition}/properties/{property}"))
            .is_some()
    }

    /// The kinds served as `api_version`, sorted.
    pub fn kinds_of(&self, api_version: &str) -> Vec<String> {
        let mut found: Vec<String> = self
            .kinds
            .keys()
            .filter(|(a, k)| a == api_version && !IGNORED_KINDS.contains(&k.as_str()))
            .map(|(_, k)| k.clone())
            .collect();
        found.sort();
        found
    }
}

/// Meta kinds every group lists; never what a post means.
const IGNORED_KINDS: &[&str] = &["DeleteOptions", "WatchEvent", "Status", "List"];

/// The vendored schemas, decoded on first use.
pub struct Store {
    raw: OnceLock<Raw>,
    versions: Lazy<String, Arc<Version>>,
    compiled: Lazy<(String, String), Shared>,
}

impl Store {
    pub fn vendored() -> Store {
        Store {
            raw: OnceLock::new(),
            versions: Lazy::default(),
            compiled: Lazy::default(),
        }
    }

    pub fn versions(&self) -> Vec<String> {
        VERSIONS.iter().map(|v| (*v).to_owned()).collect()
    }

    fn raw(&self) -> &Raw {
        self.raw.get_or_init(|| {
            let mut json = Vec::new();
            flate2::read::GzDecoder::new(VENDORED)
                .read_to_end(&mut json)
                .expect("the vendored Kubernetes schemas are valid gzip");
            serde_json::from_slice(&json).expect("the vendored Kubernetes schemas are valid JSON")
        })
    }

    /// A version's definitions and kinds (`name` must be one of [`VERSIONS`]).
    pub fn version(&self, name: &str) -> Arc<Version> {
        self.versions.get(&name.to_owned(), || {
            let raw = self.raw();
            let table = raw.versions.get(name).cloned().unwrap_or_default();
            let mut defs = Map::new();
            let mut kinds = HashMap::new();
            let mut groups = BTreeSet::new();
            for (definition, index) in &table {
                let schema = &raw.pool[*index];
                for gvk in schema
                    .get("x-kubernetes-group-version-kind")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let group = gvk["group"].as_str().unwrap_or("");
                    let version = gvk["version"].as_str().unwrap_or("");
                    let kind = gvk["kind"].as_str().unwrap_or("");
                    let api_version = if group.is_empty() {
                        version.to_owned()
                    } else {
                        format!("{group}/{version}")
                    };
                    if !IGNORED_KINDS.contains(&kind) || definition.ends_with(&format!(".{kind}")) {
                        kinds
                            .entry((api_version, kind.to_owned()))
                            .or_insert_with(|| definition.clone());
                        groups.insert(group.to_owned());
                    }
                }
                defs.insert(definition.clone(), schema.clone());
            }
            Arc::new(Version {
                name: name.to_owned(),
                document: Arc::new(serde_json::json!({ "$defs": defs })),
                kinds,
                groups,
            })
        })
    }

    /// The validator of one definition of one version, compiled once per run.
    ///
    /// Each kind is compiled from a document holding only the definitions it references
    /// (transitively): compiling against a registry of all ~900 definitions re-walked the
    /// whole registry for every kind, about 30 ms each.
    pub fn compiled(&self, version: &str, definition: &str) -> Shared {
        let key = (version.to_owned(), definition.to_owned());
        self.compiled.get(&key, || {
            let version = self.version(version);
            let defs = version
                .document
                .get("$defs")
                .and_then(Value::as_object)
                .ok_or("the vendored Kubernetes schemas have no definitions")?;
            let mut closure = Map::new();
            let mut pending = vec![definition.to_owned()];
            while let Some(name) = pending.pop() {
                if closure.contains_key(&name) {
                    continue;
                }
                let Some(schema) = defs.get(&name) else {
                    return Err(format!(
                        "no definition {name} in Kubernetes {}",
                        version.name
                    ));
                };
                references(schema, &mut pending);
                closure.insert(name, schema.clone());
            }
            super::enums::apply(&mut closure);
            let schema = serde_json::json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$defs": closure,
                "$ref": format!("#/$defs/{definition}"),
            });
            let base = format!(
                "https://galley.invalid/kubernetes/{}/{definition}.json",
                version.name
            );
            Compiled::document(schema, &base).map(Arc::new)
        })
    }
}

/// The definitions a schema refers to (`#/$defs/NAME`).
fn references(schema: &Value, found: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            for (key, value) in map {
                if key == "$ref"
                    && let Some(name) = value.as_str().and_then(|r| r.strip_prefix("#/$defs/"))
                {
                    found.push(name.replace("~1", "/").replace("~0", "~"));
                } else {
                    references(value, found);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, found)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::{Store, VERSIONS};

    #[test]
    fn every_listed_version_is_in_the_vendored_file() {
        let store = Store::vendored();
        let names: Vec<&String> = store.raw().versions.keys().collect();
        assert_eq!(names.len(), VERSIONS.len());
        for version in VERSIONS {
            assert!(
                store.version(version).has("apps/v1", "Deployment"),
                "{version}"
            );
        }
    }

    #[test]
    fn kinds_and_groups_come_from_the_definitions() {
        let store = Store::vendored();
        let version = store.version("1.37");
        assert!(version.has("v1", "Service"));
        assert!(version.has("networking.k8s.io/v1", "Ingress"));
        assert!(!version.has("extensions/v1beta1", "Ingress"));
        assert!(version.is_builtin_group("apps"));
        assert!(version.is_builtin_group(""));
        assert!(!version.is_builtin_group("kustomize.toolkit.fluxcd.io"));
        assert_eq!(version.api_versions_of("CronJob"), ["batch/v1"]);
    }

    #[test]
    fn a_definition_compiles() {
        let store = Store::vendored();
        assert!(
            store
                .compiled("1.37", "io.k8s.api.apps.v1.Deployment")
                .is_ok()
        );
    }
}
