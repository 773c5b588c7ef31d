//! The song's stored files and where they live. Each submission owns up to six objects under
//! `song/{session_id}/…` (photo, the song as MP3 or M4A, video, poster, Open Graph image). On
//! a local store the song mounts [`SongLayout`], which keeps the spec's three directories and
//! published paths byte for byte: `/storage/{uploads|audio|video}/{session_id}{suffix}`.

use std::path::PathBuf;

use crate::config::StorageConfig;
use crate::domain::ids::SessionId;
use crate::storage::{InvalidKey, Layout, ObjectKey};

/// The workflow segment of the song's keys.
pub const WORKFLOW: &str = "song";

/// One of the spec's storage directories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Uploads,
    Audio,
    Video,
}

impl Area {
    /// Every area.
    pub const ALL: [Self; 3] = [Self::Uploads, Self::Audio, Self::Video];

    /// The URL segment under `/storage/`.
    pub fn segment(self) -> &'static str {
        match self {
            Self::Uploads => "uploads",
            Self::Audio => "audio",
            Self::Video => "video",
        }
    }

    pub fn from_segment(segment: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|area| area.segment() == segment)
    }

    /// The submission a stored file name of this area belongs to, with which file it is.
    pub fn file_of(self, stored_name: &str) -> Option<(SongFile, SessionId)> {
        SongFile::ALL
            .into_iter()
            .filter(|file| file.area() == self)
            .find_map(|file| {
                let stem = stored_name.strip_suffix(file.suffix())?;
                Some((file, SessionId::parse(stem)?))
            })
    }
}

/// A file a submission may own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SongFile {
    Photo,
    SongMp3,
    SongM4a,
    Video,
    Poster,
    OgImage,
}

impl SongFile {
    /// Every file a submission can own.
    pub const ALL: [Self; 6] = [
        Self::Photo,
        Self::SongMp3,
        Self::SongM4a,
        Self::Video,
        Self::Poster,
        Self::OgImage,
    ];

    /// The name segment of its key.
    pub fn name(self) -> &'static str {
        match self {
            Self::Photo => "photo.jpg",
            Self::SongMp3 => "song.mp3",
            Self::SongM4a => "song.m4a",
            Self::Video => "video.mp4",
            Self::Poster => "poster.jpg",
            Self::OgImage => "og.jpg",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|file| file.name() == name)
    }

    /// The directory it is kept in.
    pub fn area(self) -> Area {
        match self {
            Self::Photo => Area::Uploads,
            Self::SongMp3 | Self::SongM4a => Area::Audio,
            Self::Video | Self::Poster | Self::OgImage => Area::Video,
        }
    }

    /// What follows the session id in its stored file name.
    pub fn suffix(self) -> &'static str {
        match self {
            Self::Photo => ".jpg",
            Self::SongMp3 => ".mp3",
            Self::SongM4a => ".m4a",
            Self::Video => ".mp4",
            Self::Poster => "-poster.jpg",
            Self::OgImage => "-og.jpg",
        }
    }

    /// The song as stored from a provider URL (M4A when the URL's path says so).
    pub fn song_for_url(url: &str) -> Self {
        let path = url.split(['?', '#']).next().unwrap_or_default();
        if path.ends_with(".m4a") {
            Self::SongM4a
        } else {
            Self::SongMp3
        }
    }

    /// The stored file name, `{session_id}{suffix}`.
    pub fn file_name(self, submission: &SessionId) -> String {
        format!("{submission}{}", self.suffix())
    }

    /// Its object key, `song/{session_id}/{name}`.
    pub fn key(self, submission: &SessionId) -> Result<ObjectKey, InvalidKey> {
        ObjectKey::new(WORKFLOW, submission.as_str(), self.name())
    }

    /// The URL path it is served at (the spec's contract, whatever the store).
    pub fn public_path(self, submission: &SessionId) -> String {
        format!(
            "/storage/{}/{}",
            self.area().segment(),
            self.file_name(submission)
        )
    }
}

/// The spec's three directories, as the song's local layout.
#[derive(Debug, Clone)]
pub struct SongLayout {
    uploads: PathBuf,
    audio: PathBuf,
    video: PathBuf,
}

impl SongLayout {
    pub fn from_config(config: &StorageConfig) -> Self {
        Self {
            uploads: config.img_dir(),
            audio: config.audio_dir(),
            video: config.video_dir(),
        }
    }

    /// The directory of an area.
    pub fn dir(&self, area: Area) -> &std::path::Path {
        match area {
            Area::Uploads => &self.uploads,
            Area::Audio => &self.audio,
            Area::Video => &self.video,
        }
    }

    /// The file a submission's file is kept in.
    pub fn file_path(&self, file: SongFile, submission: &SessionId) -> PathBuf {
        self.dir(file.area()).join(file.file_name(submission))
    }
}

impl Layout for SongLayout {
    fn path(&self, key: &ObjectKey) -> Option<PathBuf> {
        let submission = SessionId::parse(key.owner())?;
        let file = SongFile::from_name(key.name())?;
        Some(self.file_path(file, &submission))
    }

    fn dirs(&self) -> Vec<PathBuf> {
        Area::ALL
            .into_iter()
            .map(|area| self.dir(area).to_path_buf())
            .collect()
    }

    fn list(&self, _workflow: &str, owner: &str) -> Vec<ObjectKey> {
        let Some(submission) = SessionId::parse(owner) else {
            return Vec::new();
        };
        let mut keys: Vec<ObjectKey> = SongFile::ALL
            .into_iter()
            .filter(|file| self.file_path(*file, &submission).exists())
            .filter_map(|file| file.key(&submission).ok())
            .collect();
        keys.sort();
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_are_a_session_id_and_a_known_suffix() {
        let id = SessionId::generate();
        assert_eq!(
            Area::Uploads.file_of(&format!("{id}.jpg")),
            Some((SongFile::Photo, id.clone()))
        );
        assert_eq!(
            Area::Video.file_of(&format!("{id}-og.jpg")),
            Some((SongFile::OgImage, id.clone()))
        );
        assert_eq!(Area::Uploads.file_of(&format!("{id}.mp4")), None);
        assert_eq!(Area::Uploads.file_of("../secret.jpg"), None);
        assert_eq!(Area::Uploads.file_of(&format!("../{id}.jpg")), None);
        assert_eq!(Area::Uploads.file_of(&format!(".{id}.jpg.x.tmp")), None);
        assert_eq!(Area::Audio.file_of("notes.mp3"), None);
    }

    #[test]
    fn the_layout_keeps_the_specs_paths() {
        let id = SessionId::generate();
        let layout = SongLayout {
            uploads: "/u".into(),
            audio: "/a".into(),
            video: "/v".into(),
        };
        let poster = SongFile::Poster.key(&id).unwrap();
        assert_eq!(poster.to_string(), format!("song/{id}/poster.jpg"));
        assert_eq!(
            layout.path(&poster),
            Some(PathBuf::from(format!("/v/{id}-poster.jpg")))
        );
        assert_eq!(
            SongFile::Poster.public_path(&id),
            format!("/storage/video/{id}-poster.jpg")
        );
        let stray = ObjectKey::new(WORKFLOW, id.as_str(), "notes.txt").unwrap();
        assert_eq!(layout.path(&stray), None);
        assert_eq!(
            SongFile::song_for_url("https://cdn.example/a.m4a?sig=1"),
            SongFile::SongM4a
        );
        assert_eq!(
            SongFile::song_for_url("https://cdn.example/a.mp3"),
            SongFile::SongMp3
        );
    }
}
