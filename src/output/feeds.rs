//! RSS 2.0 and Atom feeds, built with typed writers (rss, atom_syndication) so titles with `&`,
//! `<` or control characters always give well-formed XML.
//!
//! Feeds carry no build timestamp: a feed's `updated` is its newest entry's date, so two builds
//! of the same content produce the same bytes.

use atom_syndication as atom;

use super::sitemap::encode_url;
use crate::content::Date;

/// One page in a feed.
#[derive(Debug, Clone)]
pub struct FeedEntry {
    pub title: String,
    pub permalink: String,
    pub date: Option<Date>,
    pub updated: Option<Date>,
    /// HTML: the summary, or the whole page with `[feeds] full_content = true`.
    pub content: String,
    pub categories: Vec<String>,
    pub authors: Vec<String>,
}

/// What describes a feed as a whole.
#[derive(Debug, Clone)]
pub struct FeedInfo {
    pub title: String,
    pub description: String,
    /// The page the feed is about (site home, or a term page).
    pub site_url: String,
    /// The feed's own URL.
    pub feed_url: String,
    pub language: String,
    pub author: String,
}

/// The instant used when a feed has no dated entry: fixed, so output stays reproducible.
const EPOCH: &str = "1970-01-01T00:00:00Z";

pub fn rss(info: &FeedInfo, entries: &[FeedEntry]) -> String {
    let items: Vec<rss::Item> = entries
        .iter()
        .map(|entry| {
            let mut item = rss::Item::default();
            item.set_title(clean(&entry.title));
            item.set_link(encode_url(&entry.permalink));
            let mut guid = rss::Guid::default();
            guid.set_value(encode_url(&entry.permalink));
            guid.set_permalink(true);
            item.set_guid(guid);
            item.set_description(clean(&entry.content));
            if let Some(date) = entry.date {
                item.set_pub_date(rfc2822(&date));
            }
            item.set_categories(
                entry
                    .categories
                    .iter()
                    .map(|name| {
                        let mut category = rss::Category::default();
                        category.set_name(clean(name));
                        category
                    })
                    .collect::<Vec<_>>(),
            );
            item
        })
        .collect();
    let mut channel = rss::Channel::default();
    channel.set_title(clean(&info.title));
    channel.set_link(info.site_url.clone());
    channel.set_description(clean(&info.description));
    channel.set_language(Some(info.language.clone()));
    channel.set_generator(Some("galley".to_owned()));
    if let Some(newest) = newest(entries) {
        channel.set_last_build_date(Some(rfc2822(&newest)));
    }
    channel.set_items(items);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str(&channel.to_string());
    xml.push('\n');
    xml
}

pub fn atom(info: &FeedInfo, entries: &[FeedEntry]) -> String {
    let mut feed = atom::Feed::default();
    feed.set_title(atom::Text::plain(clean(&info.title)));
    feed.set_id(info.feed_url.clone());
    feed.set_updated(timestamp(newest(entries).as_ref()));
    feed.set_lang(Some(info.language.clone()));
    feed.set_links(vec![
        link(&info.feed_url, "self"),
        link(&info.site_url, "alternate"),
    ]);
    if !info.description.is_empty() {
        feed.set_subtitle(Some(atom::Text::plain(clean(&info.description))));
    }
    if !info.author.is_empty() {
        feed.set_authors(vec![person(&info.author)]);
    }
    let mut generator = atom::Generator::default();
    generator.set_value("galley");
    feed.set_generator(Some(generator));
    let entries: Vec<atom::Entry> = entries
        .iter()
        .map(|page| {
            let mut entry = atom::Entry::default();
            entry.set_title(atom::Text::plain(clean(&page.title)));
            entry.set_id(encode_url(&page.permalink));
            entry.set_links(vec![link(&encode_url(&page.permalink), "alternate")]);
            entry.set_updated(timestamp(page.updated.or(page.date).as_ref()));
            if let Some(date) = page.date {
                entry.set_published(Some(timestamp(Some(&date))));
            }
            entry.set_authors(page.authors.iter().map(|a| person(a)).collect::<Vec<_>>());
            let mut content = atom::Content::default();
            content.set_content_type(Some("html".to_owned()));
            content.set_value(Some(clean(&page.content)));
            entry.set_content(Some(content));
            entry.set_categories(
                page.categories
                    .iter()
                    .map(|name| {
                        let mut category = atom::Category::default();
                        category.set_term(clean(name));
                        category
                    })
                    .collect::<Vec<_>>(),
            );
            entry
        })
        .collect();
    feed.set_entries(entries);
    let mut xml = feed.to_string();
    if !xml.starts_with("<?xml") {
        xml.insert_str(0, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    }
    xml.push('\n');
    xml
}

fn newest(entries: &[FeedEntry]) -> Option<Date> {
    entries.iter().filter_map(|e| e.updated.or(e.date)).max()
}

fn rfc2822(date: &Date) -> String {
    jiff::fmt::rfc2822::to_string(&date.zoned()).unwrap_or_default()
}

fn timestamp(date: Option<&Date>) -> atom::FixedDateTime {
    let text = date.map_or_else(|| EPOCH.to_owned(), Date::rfc3339);
    atom::FixedDateTime::parse_from_rfc3339(&text)
        .or_else(|_| atom::FixedDateTime::parse_from_rfc3339(EPOCH))
        .unwrap_or_default()
}

fn link(href: &str, rel: &str) -> atom::Link {
    let mut link = atom::Link::default();
    link.set_href(href);
    link.set_rel(rel);
    link
}

fn person(name: &str) -> atom::Person {
    let mut person = atom::Person::default();
    person.set_name(clean(name));
    person
}

/// Drops characters XML 1.0 cannot carry at all (most control characters); the writers escape
/// the rest.
pub fn clean(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{FeedEntry, FeedInfo, atom, rss};

    fn info() -> FeedInfo {
        FeedInfo {
            title: "Blog & <Co>".into(),
            description: "d".into(),
            site_url: "https://example.org/".into(),
            feed_url: "https://example.org/atom.xml".into(),
            language: "en".into(),
            author: "Ann".into(),
        }
    }

    fn entries() -> Vec<FeedEntry> {
        vec![FeedEntry {
            title: "Tom & \"Jerry\" <script>\u{1}".into(),
            permalink: "https://example.org/a/".into(),
            date: Some("2026-01-02T03:04:05Z".parse().unwrap()),
            updated: None,
            content: "<p>Hi</p>".into(),
            categories: vec!["k8s".into()],
            authors: vec![],
        }]
    }

    fn well_formed(xml: &str) {
        let mut reader = quick_xml::Reader::from_str(xml);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(error) => panic!("{error}\n{xml}"),
            }
        }
    }

    #[test]
    fn rss_escapes_and_dates_entries() {
        let xml = rss(&info(), &entries());
        well_formed(&xml);
        assert!(
            xml.contains("Tom &amp; \"Jerry\" &lt;script&gt;")
                || xml.contains("Tom &amp; &quot;Jerry&quot;"),
            "{xml}"
        );
        assert!(
            xml.contains("Fri, 2 Jan 2026 03:04:05 +0000") || xml.contains("Fri, 02 Jan 2026"),
            "{xml}"
        );
    }

    #[test]
    fn atom_is_reproducible_and_well_formed() {
        let xml = atom(&info(), &entries());
        well_formed(&xml);
        assert!(
            xml.contains("<updated>2026-01-02T03:04:05+00:00</updated>"),
            "{xml}"
        );
        assert_eq!(xml, atom(&info(), &entries()));
        assert!(atom(&info(), &[]).contains("1970-01-01"));
    }
}
