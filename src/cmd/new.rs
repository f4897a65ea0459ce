//! `galley new post`: create a post from an archetype.

use crate::cli::{Cli, NewArgs, NewKind};
use crate::diagnostics::Result;
use crate::scaffold::{NewPost, new_post};

pub fn run(cli: &Cli, args: &NewArgs) -> Result<()> {
    match args.kind {
        NewKind::Post => {
            let config_path = cli.config_path();
            let post = NewPost {
                root: &cli.root,
                config_path: &config_path,
                section: &args.section,
                title: &args.title,
            };
            let path = new_post(&post)?;
            if !cli.quiet {
                eprintln!(
                    "Created {} (a draft: remove `draft = true` to publish it).",
                    path.display()
                );
            }
        }
    }
    Ok(())
}
