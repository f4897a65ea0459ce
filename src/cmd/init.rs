//! `galley init`: create a new site.

use crate::cli::{Cli, InitArgs};
use crate::diagnostics::Result;

pub fn run(cli: &Cli, args: &InitArgs) -> Result<()> {
    let written = crate::scaffold::init(&args.dir, args.title.as_deref())?;
    if !cli.quiet {
        let content = written.iter().filter(|f| !f.starts_with("themes/")).count();
        eprintln!(
            "Created a site in {} ({content} files, and the default theme in themes/default/).",
            args.dir.display()
        );
        let root = if args.dir.as_os_str() == "." {
            String::new()
        } else {
            format!(" --root {}", args.dir.display())
        };
        eprintln!(
            "Next:\n  galley{root} serve    preview it with live reload\n  galley{root} check    check links and code samples\n  galley{root} new post \"My first post\""
        );
    }
    Ok(())
}
