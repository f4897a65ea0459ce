//! Links to other sites (`galley check --external`): fetched concurrently across domains but
//! one at a time per domain, with a pause between two requests to the same domain, redirects
//! followed, a browser-like user agent, and results cached so a rerun does not hammer anyone.
//!
//! A rate limit (429), a refusal (401/403), a server error (5xx) or a timeout says nothing
//! certain about the link: they are warnings. A missing page (404, 410, other 4xx), an unknown
//! host or a refused connection fails the check.
//!
//! Successes are cached for `external_cache_hours`; failures and doubts never are.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Findings;
use crate::config::CheckConfig;
use crate::diagnostics::{Diagnostic, Location, Severity};

/// Looks like a current browser: some sites answer scripts with 403.
const USER_AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 galley-link-check";
const CACHE_FILE: &str = "external-links.json";

/// What fetching a URL told us.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Ok(u16),
    Broken(String),
    Doubtful(String),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CacheEntry {
    outcome: Outcome,
    /// Seconds since the Unix epoch.
    checked_at: u64,
}

/// Checks every URL (with where it was first seen).
pub fn check(
    urls: &BTreeMap<String, Location>,
    config: &CheckConfig,
    cache_dir: Option<&Path>,
) -> Findings {
    let now = unix_now();
    let mut cache = cache_dir.map(load_cache).unwrap_or_default();
    let max_age = config.external_cache_hours * 3600;
    let mut outcomes: BTreeMap<String, Outcome> = BTreeMap::new();
    let mut pending: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for url in urls.keys() {
        match cache.get(url) {
            Some(entry) if now.saturating_sub(entry.checked_at) < max_age => {
                outcomes.insert(url.clone(), entry.outcome.clone());
            }
            _ => pending.entry(host_of(url)).or_default().push(url.clone()),
        }
    }
    for (url, outcome) in fetch_all(pending, config) {
        // Only successes are cached. A failure is asked again on the next run: a link fixed on
        // the other side, or an outage that passed, must not fail CI for another day; doubtful
        // results (429, timeouts) are retried for the same reason.
        if matches!(outcome, Outcome::Ok(_)) {
            cache.insert(
                url.clone(),
                CacheEntry {
                    outcome: outcome.clone(),
                    checked_at: now,
                },
            );
        }
        outcomes.insert(url, outcome);
    }
    if let Some(dir) = cache_dir {
        save_cache(dir, &cache);
    }
    let mut findings = Findings::default();
    for (url, outcome) in outcomes {
        let location = urls.get(&url).cloned();
        let (severity, why) = match outcome {
            Outcome::Ok(_) => {
                findings.pass();
                continue;
            }
            Outcome::Broken(why) => (Severity::Error, why),
            Outcome::Doubtful(why) => (Severity::Warning, why),
        };
        let mut diagnostic = Diagnostic::new(
            severity,
            "check/external-link",
            format!("external link {url}: {why}"),
        )
        .hint("fix or remove the link (failures are not cached: the next run asks again)");
        diagnostic.location = location;
        findings.fail(diagnostic);
    }
    findings
}

/// Fetches every host's URLs: hosts in parallel (up to the configured concurrency), each
/// host's URLs one after another with a pause between them.
fn fetch_all(
    pending: BTreeMap<String, Vec<String>>,
    config: &CheckConfig,
) -> Vec<(String, Outcome)> {
    if pending.is_empty() {
        return Vec::new();
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(config.external_timeout_s.max(1))))
        .max_redirects(5)
        .http_status_as_error(false)
        .user_agent(USER_AGENT)
        .build()
        .into();
    let queue = Mutex::new(pending.into_iter().collect::<Vec<_>>());
    let results = Mutex::new(Vec::new());
    let delay = Duration::from_millis(config.external_delay_ms);
    let workers = config
        .external_concurrency
        .max(1)
        .min(queue.lock().map(|q| q.len()).unwrap_or(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().ok().and_then(|mut q| q.pop());
                    let Some((_, urls)) = next else { break };
                    for (i, url) in urls.iter().enumerate() {
                        if i > 0 {
                            std::thread::sleep(delay);
                        }
                        let outcome = fetch(&agent, url);
                        if let Ok(mut results) = results.lock() {
                            results.push((url.clone(), outcome));
                        }
                    }
                }
            });
        }
    });
    results.into_inner().unwrap_or_default()
}

fn fetch(agent: &ureq::Agent, url: &str) -> Outcome {
    match agent.get(url).call() {
        Ok(response) => {
            let status = response.status().as_u16();
            match status {
                200..=399 => Outcome::Ok(status),
                429 => Outcome::Doubtful("rate limited (429): try again later".into()),
                401 | 403 => Outcome::Doubtful(format!(
                    "the server refused the request ({status}); it may block robots"
                )),
                500..=599 => Outcome::Doubtful(format!("server error ({status})")),
                _ => Outcome::Broken(format!(
                    "{status} {}",
                    response.status().canonical_reason().unwrap_or("error")
                )),
            }
        }
        Err(ureq::Error::Timeout(_)) => Outcome::Doubtful("timed out".into()),
        Err(ureq::Error::HostNotFound) => Outcome::Broken("host not found".into()),
        Err(ureq::Error::ConnectionFailed) => Outcome::Broken("connection refused".into()),
        Err(ureq::Error::TooManyRedirects) => Outcome::Broken("too many redirects".into()),
        Err(ureq::Error::Io(error)) if error.kind() == std::io::ErrorKind::TimedOut => {
            Outcome::Doubtful("timed out".into())
        }
        Err(error) => Outcome::Broken(error.to_string()),
    }
}

fn host_of(url: &str) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    after_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn load_cache(dir: &Path) -> HashMap<String, CacheEntry> {
    // A missing or damaged cache is an empty one: the links are simply checked again.
    std::fs::read_to_string(dir.join(CACHE_FILE))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

fn save_cache(dir: &Path, cache: &HashMap<String, CacheEntry>) {
    let sorted: BTreeMap<&String, &CacheEntry> = cache.iter().collect();
    if std::fs::create_dir_all(dir).is_ok()
        && let Ok(text) = serde_json::to_string_pretty(&sorted)
    {
        let _ = std::fs::write(dir.join(CACHE_FILE), text);
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::host_of;

    #[test]
    fn hosts_group_requests() {
        assert_eq!(
            host_of("https://Example.org:8443/a?b#c"),
            "example.org:8443"
        );
        assert_eq!(host_of("http://127.0.0.1:9/x"), "127.0.0.1:9");
    }
}
