//! Segment files: `wal-{first index, 20 digits}.log`, a 16-byte header (`ENSWAL`, a zero,
//! the format version, the index of its first record as u64 little-endian), then frames
//! (`frame.rs`), then zeros up to the preallocated size.
//!
//! A segment is read frame by frame through a small buffer and only up to the end of its
//! data, never whole: segments are preallocated (64 MiB by default), and reading them
//! whole would cost start time and memory for the zeros.

use super::frame::{decode, record_after, Frame, FRAME_HEADER, MAX_RECORD};
use super::WalError;
use std::fs::File;
use std::io::{BufReader, Read};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

pub const MAGIC: &[u8; 6] = b"ENSWAL";
pub const VERSION: u8 = 1;
pub const HEADER: usize = 16;

/// How much is read from the disk at once. Small records come many to a read; a larger
/// record is read straight into its own buffer.
const READ_BUFFER: usize = 64 << 10;

pub fn name(first: u64) -> String {
    format!("wal-{first:020}.log")
}

/// The first index a segment's file name gives, if it is a segment's name.
pub fn parse_name(file: &str) -> Option<u64> {
    file.strip_prefix("wal-")?.strip_suffix(".log")?.parse().ok()
}

pub fn header(first: u64) -> [u8; HEADER] {
    let mut h = [0u8; HEADER];
    h[..6].copy_from_slice(MAGIC);
    h[7] = VERSION;
    h[8..].copy_from_slice(&first.to_le_bytes());
    h
}

/// The segments in `dir`, oldest first.
pub fn list(dir: &Path) -> Result<Vec<(u64, PathBuf)>, WalError> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| WalError::io(dir, e))? {
        let entry = entry.map_err(|e| WalError::io(dir, e))?;
        if let Some(first) = entry.file_name().to_str().and_then(parse_name) {
            found.push((first, entry.path()));
        }
    }
    found.sort();
    Ok(found)
}

/// What one segment holds.
#[derive(Debug)]
pub struct Scan {
    pub records: Vec<Vec<u8>>,
    /// Where its data ends: the next record goes here.
    pub end: usize,
    /// A damaged last record, if the data ends with one.
    pub damage: Option<Damage>,
}

/// A damaged last record: not followed by any whole one.
#[derive(Debug)]
pub struct Damage {
    /// Where it starts, and why it is not a record.
    pub offset: usize,
    pub why: &'static str,
    /// Its bytes, up to the segment's last non-zero one (to be copied aside).
    pub bytes: Vec<u8>,
}

/// Read a segment's records; `None` if the file is all zeros (created, never written).
/// Damage followed by a whole record is corruption, whatever segment it is in; damage
/// at the very end is left to the caller (a torn tail or not).
pub fn scan(path: &Path, first: u64) -> Result<Option<Scan>, WalError> {
    let io = |e| WalError::io(path, e);
    let mut reader = BufReader::with_capacity(READ_BUFFER, File::open(path).map_err(io)?);
    let mut buf = Vec::with_capacity(HEADER);
    read_up_to(&mut reader, HEADER, &mut buf).map_err(io)?;
    if buf.iter().all(|b| *b == 0) && only_zeros(&mut reader).map_err(io)? {
        return Ok(None);
    }
    check_header(path, &buf, first)?;
    let (mut records, mut at) = (Vec::new(), HEADER);
    loop {
        // The frame's header, then as much of its payload as its length says and the
        // file holds: `decode` tells a whole record from a short or garbled one.
        buf.clear();
        read_up_to(&mut reader, FRAME_HEADER, &mut buf).map_err(io)?;
        if let Some(len) = payload_len(&buf) {
            read_up_to(&mut reader, len, &mut buf).map_err(io)?;
        }
        match decode(&buf) {
            Frame::Record { size, .. } => {
                records.push(buf.split_off(FRAME_HEADER));
                at += size;
            }
            Frame::End => return Ok(Some(Scan { records, end: at, damage: None })),
            Frame::Bad(why) => {
                let damage = damage_at(path, reader.get_ref(), at, why)?;
                return Ok(Some(Scan { records, end: at, damage: Some(damage) }));
            }
        }
    }
}

fn check_header(path: &Path, head: &[u8], first: u64) -> Result<(), WalError> {
    if head.len() < HEADER || &head[..6] != MAGIC {
        return Err(WalError::corrupt(path, 0, "no segment header"));
    }
    if head[7] != VERSION {
        return Err(WalError::corrupt(path, 7, "a format version this build does not read"));
    }
    if head[8..16] != first.to_le_bytes() {
        return Err(WalError::corrupt(path, 8, "its header names another first record than its file name"));
    }
    Ok(())
}

/// The payload length a frame's header gives, if it is one a record may have (anything
/// else `decode` refuses without reading on).
fn payload_len(header: &[u8]) -> Option<usize> {
    let len = u32::from_le_bytes(header.get(..4)?.try_into().ok()?) as usize;
    (1..=MAX_RECORD).contains(&len).then_some(len)
}

/// Append up to `n` more bytes of `reader` to `buf`: fewer only at the end of the file.
fn read_up_to(reader: &mut impl Read, n: usize, buf: &mut Vec<u8>) -> std::io::Result<()> {
    reader.by_ref().take(n as u64).read_to_end(buf).map(|_| ())
}

/// Whether the rest of `reader` is zeros.
fn only_zeros(reader: &mut impl Read) -> std::io::Result<bool> {
    let mut chunk = vec![0; READ_BUFFER];
    loop {
        match reader.read(&mut chunk)? {
            0 => return Ok(true),
            n if chunk[..n].iter().any(|b| *b != 0) => return Ok(false),
            _ => {}
        }
    }
}

/// The damage at `offset`, or the corruption it is if a whole record follows it. This
/// is the one place the rest of a segment is read at once: only when it is damaged.
fn damage_at(path: &Path, file: &File, offset: usize, why: &'static str) -> Result<Damage, WalError> {
    let io = |e| WalError::io(path, e);
    let size = file.metadata().map_err(io)?.len() as usize;
    let mut rest = vec![0; size.saturating_sub(offset)];
    file.read_exact_at(&mut rest, offset as u64).map_err(io)?;
    if let Some(later) = record_after(&rest, 0) {
        let later = offset + later;
        let why = format!("a damaged record at byte {offset} ({why}) is followed by a whole one at byte {later}");
        return Err(WalError::corrupt(path, offset, &why));
    }
    let end = rest.iter().rposition(|b| *b != 0).map_or(0, |p| p + 1);
    rest.truncate(end);
    rest.shrink_to_fit();
    Ok(Damage { offset, why, bytes: rest })
}
