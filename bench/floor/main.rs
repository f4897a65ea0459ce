//! The floor: what pulldown-cmark and syntect alone cost over a corpus (no templates, no I/O,
//! all cores), the yardstick galley's cold build is measured against.
//!
//!     cargo run --release --example floor -- CONTENT_DIR [--runs N] [--fast]
//!
//! Reads every `.md` file under CONTENT_DIR first (not timed), then, per run and in parallel:
//! Markdown -> HTML with pulldown-cmark, and every fenced code block highlighted to classed HTML
//! with syntect (two-face's syntaxes, loaded once). Prints the median wall time over the runs,
//! and the time spent highlighting each language (summed over threads) on the last run.
//!
//! With `--fast`, the runs highlight with galley's `Highlighter` instead (its fast lexers, and
//! syntect for the other languages), and a last pass highlights every block both ways, through
//! galley, to print each language's lines per second with syntect and with the fast lexer.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use galley::config::HighlightConfig;
use galley::markdown::highlight::Highlighter;
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use rayon::prelude::*;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// What highlights the code blocks of a run.
enum Engine<'a> {
    /// syntect alone, as a bare-bones generator would call it.
    Syntect(&'a SyntaxSet),
    /// galley's `Highlighter`: fast lexers first, syntect for the rest.
    Galley(&'a Highlighter),
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args
        .first()
        .expect("usage: floor CONTENT_DIR [--runs N] [--fast]");
    let fast = args.iter().any(|a| a == "--fast");
    let runs: usize = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(3);
    let documents: Vec<String> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| std::fs::read_to_string(e.path()).expect("read a Markdown file"))
        .collect();
    let bytes: usize = documents.iter().map(String::len).sum();
    let syntaxes = two_face::syntax::extra_newlines();
    let highlighter = Highlighter::new(&HighlightConfig::default()).expect("the default themes");
    let engine = if fast {
        Engine::Galley(&highlighter)
    } else {
        Engine::Syntect(&syntaxes)
    };
    let mut times = Vec::new();
    let mut per_language = BTreeMap::new();
    for _ in 0..runs {
        let languages = Mutex::new(BTreeMap::<String, (Duration, usize)>::new());
        let started = Instant::now();
        let html: usize = documents
            .par_iter()
            .map(|doc| render(doc, &engine, &languages))
            .sum();
        times.push(started.elapsed());
        std::hint::black_box(html);
        per_language = languages.into_inner().unwrap();
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "{} documents, {:.1} MB of Markdown, {} threads",
        documents.len(),
        bytes as f64 / 1e6,
        rayon::current_num_threads()
    );
    println!(
        "{}: median {:.2} s (min {:.2} s, max {:.2} s) over {runs} runs",
        if fast {
            "floor with galley's highlighter"
        } else {
            "floor"
        },
        median.as_secs_f64(),
        times[0].as_secs_f64(),
        times[times.len() - 1].as_secs_f64()
    );
    println!("highlighting time by language (CPU seconds, last run):");
    let mut sorted: Vec<_> = per_language.into_iter().collect();
    sorted.sort_by_key(|(_, (time, _))| std::cmp::Reverse(*time));
    for (language, (time, lines)) in sorted {
        println!(
            "  {language:<12} {:>7.2} s  {lines:>9} lines  {:>9.0} lines/s",
            time.as_secs_f64(),
            lines as f64 / time.as_secs_f64().max(1e-9)
        );
    }
    if fast {
        compare(&documents, &highlighter);
    }
}

/// Highlights every block of a fast-lexed language with syntect, then (in a second pass, so the
/// two do not evict each other's code and tables from the caches) with the fast lexer, both
/// through galley's `Highlighter` and in parallel, and prints lines per second per language (CPU
/// time summed over threads, so per core).
fn compare(documents: &[String], highlighter: &Highlighter) {
    let config = galley::config::MarkdownConfig::default();
    let blocks: Vec<(String, String)> = documents
        .par_iter()
        .flat_map_iter(|doc| galley::markdown::code_blocks(doc, &config, 1))
        .filter_map(|block| Some((block.info.ok()?.lang?, block.code)))
        .filter(|(language, _)| galley::markdown::lexers::highlight(language, "").is_some())
        .collect();
    let time = |fast: bool| {
        let totals = Mutex::new(BTreeMap::<String, (Duration, usize)>::new());
        blocks.par_iter().for_each(|(language, code)| {
            let syntax = highlighter.syntax(language);
            let started = Instant::now();
            let lines =
                highlighter.highlight_lines(code, fast.then_some(language.as_str()), syntax);
            let elapsed = started.elapsed();
            std::hint::black_box(lines);
            let mut map = totals.lock().unwrap();
            let entry = map.entry(language.clone()).or_default();
            entry.0 += elapsed;
            entry.1 += code.lines().count();
        });
        totals.into_inner().unwrap()
    };
    let syntect = time(false);
    let fast = time(true);
    println!(
        "syntect vs fast lexers, per core (every block highlighted both ways through galley):"
    );
    println!(
        "  {:<12} {:>9}  {:>14}  {:>14}  {:>8}",
        "language", "lines", "syntect l/s", "fast l/s", "speedup"
    );
    let per_second = |lines: usize, time: Duration| lines as f64 / time.as_secs_f64().max(1e-9);
    let mut all = (0, Duration::ZERO, Duration::ZERO);
    for (language, (slow, lines)) in syntect {
        let quick = fast[&language].0;
        println!(
            "  {language:<12} {lines:>9}  {:>14.0}  {:>14.0}  {:>7.1}x",
            per_second(lines, slow),
            per_second(lines, quick),
            slow.as_secs_f64() / quick.as_secs_f64().max(1e-9)
        );
        all = (all.0 + lines, all.1 + slow, all.2 + quick);
    }
    println!(
        "  {:<12} {:>9}  {:>14.0}  {:>14.0}  {:>7.1}x",
        "all",
        all.0,
        per_second(all.0, all.1),
        per_second(all.0, all.2),
        all.1.as_secs_f64() / all.2.as_secs_f64().max(1e-9)
    );
}

fn render(
    markdown: &str,
    engine: &Engine,
    languages: &Mutex<BTreeMap<String, (Duration, usize)>>,
) -> usize {
    let mut out = String::with_capacity(markdown.len() * 2);
    let mut events = Vec::new();
    let mut code: Option<(String, String)> = None;
    for event in Parser::new_ext(markdown, Options::all()) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let language = info.split([',', ' ']).next().unwrap_or("").to_owned();
                code = Some((language, String::new()));
            }
            Event::Text(text) if code.is_some() => code.as_mut().unwrap().1.push_str(&text),
            Event::End(TagEnd::CodeBlock) => {
                let (language, text) = code.take().unwrap_or_default();
                let started = Instant::now();
                let html = match engine {
                    Engine::Syntect(syntaxes) => {
                        let syntax = syntaxes
                            .find_syntax_by_token(&language)
                            .unwrap_or_else(|| syntaxes.find_syntax_plain_text());
                        let mut generator = ClassedHTMLGenerator::new_with_class_style(
                            syntax,
                            syntaxes,
                            ClassStyle::SpacedPrefixed { prefix: "hl-" },
                        );
                        for line in LinesWithEndings::from(&text) {
                            let _ = generator.parse_html_for_line_which_includes_newline(line);
                        }
                        generator.finalize()
                    }
                    Engine::Galley(highlighter) => {
                        let syntax = highlighter.syntax(&language);
                        highlighter
                            .highlight_lines(&text, Some(&language), syntax)
                            .join("\n")
                    }
                };
                events.push(Event::Html(html.into()));
                let mut map = languages.lock().unwrap();
                let entry = map.entry(language).or_default();
                entry.0 += started.elapsed();
                entry.1 += text.lines().count();
            }
            other if code.is_none() => events.push(other),
            _ => {}
        }
    }
    pulldown_cmark::html::push_html(&mut out, events.into_iter());
    out.len()
}
