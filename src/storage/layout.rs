//! Where a local store puts each workflow's files. The default layout is
//! `{root}/{workflow}/{owner}/{name}`; a workflow whose paths are part of a published contract
//! (the song's `/storage/{area}/{id}{suffix}`) mounts its own.

use std::fmt;
use std::path::PathBuf;

use super::key::ObjectKey;

/// Maps keys of one workflow onto files.
pub trait Layout: Send + Sync + fmt::Debug {
    /// The file that holds `key`, or `None` when this layout has no place for it.
    fn path(&self, key: &ObjectKey) -> Option<PathBuf>;

    /// The directories the layout writes into (created at start, probed by health checks).
    fn dirs(&self) -> Vec<PathBuf>;

    /// The keys an owner holds now (blocking: reads the filesystem).
    fn list(&self, workflow: &str, owner: &str) -> Vec<ObjectKey>;
}

/// `{dir}/{owner}/{name}`, where `dir` is the workflow's directory under the store's root.
#[derive(Debug, Clone)]
pub struct OwnerDirectories {
    pub dir: PathBuf,
}

impl Layout for OwnerDirectories {
    fn path(&self, key: &ObjectKey) -> Option<PathBuf> {
        Some(self.dir.join(key.owner()).join(key.name()))
    }

    fn dirs(&self) -> Vec<PathBuf> {
        vec![self.dir.clone()]
    }

    fn list(&self, workflow: &str, owner: &str) -> Vec<ObjectKey> {
        let Ok(listing) = std::fs::read_dir(self.dir.join(owner)) else {
            return Vec::new();
        };
        let mut keys: Vec<ObjectKey> = listing
            .filter_map(Result::ok)
            .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_file()))
            .filter_map(|entry| entry.file_name().into_string().ok())
            // Temporary and staging names start with a dot, which no key may.
            .filter_map(|name| ObjectKey::new(workflow, owner, &name).ok())
            .collect();
        keys.sort();
        keys
    }
}
