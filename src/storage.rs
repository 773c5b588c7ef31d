//! Local file storage in the spec's three areas (uploads, audio, video): durable writes
//! (temp file, fsync, rename, directory fsync), typed file names that only ever hold a cuid2
//! and a known suffix, and the public `/storage/{area}/{file}` paths.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::StorageConfig;
use crate::domain::ids::SessionId;

/// One of the storage directories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Uploads,
    Audio,
    Video,
}

impl Area {
    /// The URL segment under `/storage/`.
    pub fn segment(self) -> &'static str {
        match self {
            Self::Uploads => "uploads",
            Self::Audio => "audio",
            Self::Video => "video",
        }
    }

    pub fn from_segment(segment: &str) -> Option<Self> {
        match segment {
            "uploads" => Some(Self::Uploads),
            "audio" => Some(Self::Audio),
            "video" => Some(Self::Video),
            _ => None,
        }
    }

    /// Every area.
    pub const ALL: [Self; 3] = [Self::Uploads, Self::Audio, Self::Video];

    /// The session a stored file name belongs to, when it is one of this area's names.
    pub fn session_of(self, raw: &str) -> Option<SessionId> {
        self.suffixes()
            .iter()
            .find_map(|suffix| SessionId::parse(raw.strip_suffix(suffix)?))
    }

    /// File-name suffixes (after the session id) this area may hold.
    fn suffixes(self) -> &'static [&'static str] {
        match self {
            Self::Uploads => &[".jpg"],
            Self::Audio => &[".mp3", ".m4a"],
            Self::Video => &[".mp4", "-poster.jpg", "-og.jpg"],
        }
    }
}

/// A file name of the form `{session_id}{suffix}`, valid for its area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName(String);

impl FileName {
    /// The name for a session's file; `suffix` must be one the area allows.
    pub fn for_session(area: Area, session_id: &SessionId, suffix: &str) -> Option<Self> {
        area.suffixes()
            .contains(&suffix)
            .then(|| Self(format!("{session_id}{suffix}")))
    }

    /// Accepts only `{cuid2}{allowed suffix}`; anything else (traversal included) is `None`.
    pub fn parse(area: Area, raw: &str) -> Option<Self> {
        area.suffixes().iter().find_map(|suffix| {
            let stem = raw.strip_suffix(suffix)?;
            SessionId::parse(stem).map(|_| Self(raw.to_owned()))
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A storage operation that failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("storage I/O failed on {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("storage task panicked or was cancelled")]
    Task(#[from] tokio::task::JoinError),
}

/// The three storage directories.
#[derive(Debug, Clone)]
pub struct Storage {
    uploads: PathBuf,
    audio: PathBuf,
    video: PathBuf,
}

impl Storage {
    pub fn from_config(config: &StorageConfig) -> Self {
        Self {
            uploads: config.img_dir(),
            audio: config.audio_dir(),
            video: config.video_dir(),
        }
    }

    /// Directory of an area.
    pub fn dir(&self, area: Area) -> &Path {
        match area {
            Area::Uploads => &self.uploads,
            Area::Audio => &self.audio,
            Area::Video => &self.video,
        }
    }

    /// Filesystem path of a stored file.
    pub fn path(&self, area: Area, name: &FileName) -> PathBuf {
        self.dir(area).join(name.as_str())
    }

    /// The URL path the file is served at.
    pub fn public_path(area: Area, name: &FileName) -> String {
        format!("/storage/{}/{}", area.segment(), name.as_str())
    }

    /// Creates the directories if they are missing.
    pub async fn prepare(&self) -> Result<(), StorageError> {
        for area in [Area::Uploads, Area::Audio, Area::Video] {
            let dir = self.dir(area).to_path_buf();
            tokio::fs::create_dir_all(&dir)
                .await
                .map_err(|source| StorageError::Io { path: dir, source })?;
        }
        Ok(())
    }

    /// Writes `bytes` so that the file either exists complete or not at all, even across a
    /// crash: temp file, fsync, rename, then fsync of the directory.
    pub async fn write_durably(
        &self,
        area: Area,
        name: &FileName,
        bytes: Vec<u8>,
    ) -> Result<PathBuf, StorageError> {
        let dir = self.dir(area).to_path_buf();
        let name = name.as_str().to_owned();
        tokio::task::spawn_blocking(move || write_file_durably(&dir, &name, &bytes)).await?
    }

    /// Deletes a stored file; a file already gone is not an error.
    pub async fn remove(&self, area: Area, name: &FileName) -> Result<(), StorageError> {
        let path = self.path(area, name);
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(StorageError::Io { path, source }),
        }
    }

    /// Proves each directory accepts writes by creating and deleting a probe file. Each call
    /// uses its own random name, so concurrent checks (in this or another process) never
    /// delete each other's probe.
    pub async fn check_writable(&self) -> Result<(), StorageError> {
        for area in [Area::Uploads, Area::Audio, Area::Video] {
            let probe = self
                .dir(area)
                .join(format!(".health-probe-{}", cuid2::create_id()));
            tokio::fs::write(&probe, b"ok")
                .await
                .map_err(|source| StorageError::Io {
                    path: probe.clone(),
                    source,
                })?;
            tokio::fs::remove_file(&probe)
                .await
                .map_err(|source| StorageError::Io {
                    path: probe,
                    source,
                })?;
        }
        Ok(())
    }
}

/// Blocking half of [`Storage::write_durably`].
pub fn write_file_durably(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, StorageError> {
    let final_path = dir.join(name);
    let temp_path = dir.join(format!(".{name}.{}.tmp", cuid2::create_id()));
    let io_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| StorageError::Io { path, source }
    };
    let written = (|| {
        let mut file = std::fs::File::create(&temp_path)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp_path, &final_path)
    })();
    if let Err(source) = written {
        let _ = std::fs::remove_file(&temp_path);
        return Err(io_error(&final_path)(source));
    }
    std::fs::File::open(dir)
        .and_then(|directory| directory.sync_all())
        .map_err(io_error(dir))?;
    Ok(final_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_session_ids_with_known_suffixes_are_file_names() {
        let id = SessionId::generate();
        assert!(FileName::parse(Area::Uploads, &format!("{id}.jpg")).is_some());
        assert!(FileName::parse(Area::Video, &format!("{id}-og.jpg")).is_some());
        assert!(FileName::parse(Area::Uploads, &format!("{id}.mp4")).is_none());
        assert!(FileName::parse(Area::Uploads, "../secret.jpg").is_none());
        assert!(FileName::parse(Area::Uploads, &format!("../{id}.jpg")).is_none());
        assert!(FileName::for_session(Area::Audio, &id, ".exe").is_none());
    }

    #[test]
    fn a_stored_name_gives_back_its_session() {
        let id = SessionId::generate();
        assert_eq!(
            Area::Video.session_of(&format!("{id}-poster.jpg")),
            Some(id.clone())
        );
        assert_eq!(
            Area::Uploads.session_of(&format!("{id}.jpg")),
            Some(id.clone())
        );
        assert_eq!(Area::Uploads.session_of(&format!(".{id}.jpg.x.tmp")), None);
        assert_eq!(Area::Audio.session_of("notes.mp3"), None);
    }

    #[test]
    fn durable_writes_leave_only_the_final_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_file_durably(dir.path(), "a.jpg", b"data").unwrap();
        assert_eq!(std::fs::read(path).unwrap(), b"data");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.jpg")]);
    }
}
