//! The write-ahead log of a node's `Persist` records (`docs/wal.md`).
//!
//! Records are appended to preallocated segment files as length + CRC32 + payload
//! frames, and made durable with one `fdatasync` per batch (the runtime's group
//! commit hands it everything queued at once). When the node writes a checkpoint (a
//! record that replaces all before it, `Node::is_checkpoint`), the log starts a new
//! segment with it and deletes the segments before the last `keep_segments`.
//!
//! Opening replays every segment, frame by frame up to the end of its data (never the
//! preallocated zeros after it). A damaged **last** record of the last segment (a
//! write torn by a crash: it was never acknowledged) is cut, its bytes copied aside,
//! and reported; damage anywhere else, or a whole record after a damaged one, refuses
//! to open: the log is not trusted, and the node must be resynchronized from its peers.

mod frame;
mod segment;
#[cfg(test)]
mod tests;
mod writer;

pub use writer::{Entry, Notice, Payload, Writer};

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

pub use frame::MAX_RECORD;

#[derive(Debug, thiserror::Error)]
pub enum WalError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(
        "{path}: corrupt at byte {offset}: {why}. The log cannot be trusted: move the data \
         directory aside and restart this node empty; it resynchronizes from its peers (SNAP)"
    )]
    Corrupt { path: PathBuf, offset: usize, why: String },
    #[error("a record of {0} bytes is larger than the largest record ({MAX_RECORD} bytes)")]
    TooLarge(usize),
}

impl WalError {
    fn io(path: &Path, source: std::io::Error) -> WalError {
        WalError::Io { path: path.to_path_buf(), source }
    }
    fn corrupt(path: &Path, offset: usize, why: &str) -> WalError {
        WalError::Corrupt { path: path.to_path_buf(), offset, why: why.to_string() }
    }
}

#[derive(Clone, Debug)]
pub struct WalOptions {
    /// Each segment is allocated this much at once (and grown by as much when full),
    /// so appends do not grow the file one write at a time. ZooKeeper pads 64 MiB.
    pub preallocate_bytes: u64,
    /// `false` skips `fdatasync`: for teaching and tests only, a crash may lose
    /// acknowledged writes.
    pub fsync: bool,
    /// Segments kept before the newest one that starts with a checkpoint.
    pub keep_segments: usize,
}

impl Default for WalOptions {
    fn default() -> Self {
        WalOptions { preallocate_bytes: 64 << 20, fsync: true, keep_segments: 2 }
    }
}

/// A torn last record, cut when the log was opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repair {
    pub segment: PathBuf,
    pub offset: usize,
    pub why: &'static str,
    /// Where its bytes were copied.
    pub saved_to: PathBuf,
}

/// What opening a log found: every record kept, oldest first, and the repair made.
#[derive(Debug, Default)]
pub struct Recovered {
    pub records: Vec<Vec<u8>>,
    pub repair: Option<Repair>,
}

/// An open log, positioned after its last record.
pub struct Wal {
    dir: PathBuf,
    opts: WalOptions,
    file: File,
    path: PathBuf,
    /// Where the next frame goes, and the file's allocated size.
    offset: u64,
    allocated: u64,
    /// The index the next record gets.
    next_index: u64,
}

impl Wal {
    /// Open (or create) the log in `dir` and replay it.
    pub fn open(dir: &Path, opts: WalOptions) -> Result<(Wal, Recovered), WalError> {
        make_dir(dir, opts.fsync)?;
        let segments = segment::list(dir)?;
        let mut recovered = Recovered::default();
        let mut next_index = segments.first().map_or(0, |(first, _)| *first);
        let count = segments.len();
        for (i, (first, path)) in segments.iter().enumerate() {
            if *first != next_index {
                let why = format!("it starts at record {first} where record {next_index} was due");
                return Err(WalError::corrupt(path, 0, &why));
            }
            let last = i + 1 == count;
            let Some(scan) = segment::scan(path, *first)? else {
                if !last {
                    return Err(WalError::corrupt(path, 0, "no segment header"));
                }
                // Created but never written (a crash right after the file appeared):
                // nothing in it was ever acknowledged. Start it again.
                std::fs::remove_file(path).map_err(|e| WalError::io(path, e))?;
                note_dir("delete", path);
                if opts.fsync {
                    sync_dir(dir)?;
                }
                return Ok((Wal::create(dir, opts, next_index)?, recovered));
            };
            if let Some(damage) = scan.damage {
                if !last {
                    return Err(WalError::corrupt(path, damage.offset, damage.why));
                }
                recovered.repair = Some(cut_torn_tail(dir, path, damage)?);
            }
            next_index += scan.records.len() as u64;
            recovered.records.extend(scan.records);
            if last {
                let wal = Wal::resume(dir, opts, path.clone(), scan.end as u64, next_index)?;
                return Ok((wal, recovered));
            }
        }
        Ok((Wal::create(dir, opts, 0)?, recovered))
    }

    fn resume(dir: &Path, opts: WalOptions, path: PathBuf, offset: u64, next_index: u64) -> Result<Wal, WalError> {
        let file = OpenOptions::new().read(true).write(true).open(&path).map_err(|e| WalError::io(&path, e))?;
        let allocated = file.metadata().map_err(|e| WalError::io(&path, e))?.len();
        Ok(Wal { dir: dir.to_path_buf(), opts, file, path, offset, allocated, next_index })
    }

    /// A new, empty segment whose first record will be `first`, made durable with its
    /// directory entry.
    fn create(dir: &Path, opts: WalOptions, first: u64) -> Result<Wal, WalError> {
        let path = dir.join(segment::name(first));
        let file = OpenOptions::new().read(true).write(true).create_new(true).open(&path);
        let file = file.map_err(|e| WalError::io(&path, e))?;
        note_dir("create", &path);
        let allocated = opts.preallocate_bytes.max(segment::HEADER as u64);
        file.set_len(allocated).map_err(|e| WalError::io(&path, e))?;
        file.write_all_at(&segment::header(first), 0).map_err(|e| WalError::io(&path, e))?;
        if opts.fsync {
            file.sync_all().map_err(|e| WalError::io(&path, e))?;
            sync_dir(dir)?;
        }
        let offset = segment::HEADER as u64;
        Ok(Wal { dir: dir.to_path_buf(), opts, file, path, offset, allocated, next_index: first })
    }

    /// The index the next record gets (records are numbered from the log's start).
    pub fn next_index(&self) -> u64 {
        self.next_index
    }

    /// Write `records` after the last one (not yet durable: see [`Wal::sync`]).
    pub fn append(&mut self, records: &[Vec<u8>]) -> Result<(), WalError> {
        let mut bytes = Vec::new();
        for r in records {
            if r.is_empty() || r.len() > MAX_RECORD {
                return Err(WalError::TooLarge(r.len()));
            }
            frame::encode(r, &mut bytes);
        }
        let end = self.offset + bytes.len() as u64;
        if end > self.allocated {
            // Grow by whole units, and at least to fit: a record larger than the unit
            // must not be cut (ZooKeeper's ZOOKEEPER-2249).
            let grown = (self.allocated + self.opts.preallocate_bytes).max(end);
            self.file.set_len(grown).map_err(|e| WalError::io(&self.path, e))?;
            self.allocated = grown;
        }
        self.file.write_all_at(&bytes, self.offset).map_err(|e| WalError::io(&self.path, e))?;
        self.offset = end;
        self.next_index += records.len() as u64;
        Ok(())
    }

    /// Make everything appended durable: one `fdatasync`.
    pub fn sync(&mut self) -> Result<(), WalError> {
        if self.opts.fsync {
            self.file.sync_data().map_err(|e| WalError::io(&self.path, e))?;
        }
        Ok(())
    }

    /// Start a new segment with the next record (a checkpoint), after making this one
    /// durable; then delete the segments before the newest `keep_segments` old ones.
    pub fn start_segment(&mut self) -> Result<(), WalError> {
        if self.offset == segment::HEADER as u64 {
            return Ok(()); // This segment is empty: it starts with the next record already.
        }
        self.sync()?;
        let next = Wal::create(&self.dir, self.opts.clone(), self.next_index)?;
        *self = next;
        let segments = segment::list(&self.dir)?;
        let old = segments.len().saturating_sub(1 + self.opts.keep_segments);
        for (_, path) in &segments[..old] {
            std::fs::remove_file(path).map_err(|e| WalError::io(path, e))?;
            note_dir("delete", path);
            // Oldest first, each deletion durable before the next: a crash leaves an
            // unbroken run of segments, never a gap (which would refuse to open).
            if self.opts.fsync {
                sync_dir(&self.dir)?;
            }
        }
        Ok(())
    }
}

/// Copy the damaged bytes of a torn last record aside, then zero them in the segment.
/// The copy is durable before the segment changes, so a crash between loses nothing.
fn cut_torn_tail(dir: &Path, path: &Path, damage: segment::Damage) -> Result<Repair, WalError> {
    let segment::Damage { offset, why, bytes } = damage;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("segment");
    let saved_to = dir.join(format!("{name}.torn-at-{offset}"));
    let mut copy = File::create(&saved_to).map_err(|e| WalError::io(&saved_to, e))?;
    note_dir("create", &saved_to);
    copy.write_all(&bytes).and_then(|()| copy.sync_all()).map_err(|e| WalError::io(&saved_to, e))?;
    sync_dir(dir)?;
    let file = OpenOptions::new().write(true).open(path).map_err(|e| WalError::io(path, e))?;
    file.write_all_at(&vec![0; bytes.len()], offset as u64).map_err(|e| WalError::io(path, e))?;
    file.sync_data().map_err(|e| WalError::io(path, e))?;
    Ok(Repair { segment: path.to_path_buf(), offset, why, saved_to })
}

/// Create the data directory if it is missing, durably: its entry is in its parent.
fn make_dir(dir: &Path, fsync: bool) -> Result<(), WalError> {
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| WalError::io(dir, e))?;
    note_dir("create", dir);
    match dir.parent() {
        Some(parent) if fsync => sync_dir(if parent.as_os_str().is_empty() { Path::new(".") } else { parent }),
        _ => Ok(()),
    }
}

/// Make a directory's entries (files created or deleted in it) durable. Every change
/// to the log's directory is followed by one (`docs/wal.md`).
fn sync_dir(dir: &Path) -> Result<(), WalError> {
    note_dir("sync", dir);
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| WalError::io(dir, e))
}

/// Tests see every change to a directory and every sync of one, in order.
#[cfg(test)]
use tests::note_dir;
#[cfg(not(test))]
fn note_dir(_: &str, _: &Path) {}
