//! Loading a spec file into the analysis database, shared by the commands that take a FILE.

use spec_analysis::db::{normalize, read_source};
use spec_analysis::{Database, SourceText};
use std::path::Path;

/// Reads `path` into a new database; the error is a message for the user.
pub fn load(path: &str) -> Result<(Database, SourceText), String> {
    let text = read_source(Path::new(path)).map_err(|e| format!("cannot read `{path}`: {e}"))?;
    let mut db = Database::default();
    let file = db.set_text(&normalize(Path::new(path)), text);
    Ok((db, file))
}

