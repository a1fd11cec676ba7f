//! Segment files: `wal-{first index, 20 digits}.log`, a 16-byte header (`ENSWAL`, a zero,
//! the format version, the index of its first record as u64 little-endian), then frames
//! (`frame.rs`), then zeros up to the preallocated size.

use super::frame::{decode, record_after, Frame};
use super::WalError;
use std::path::{Path, PathBuf};

pub const MAGIC: &[u8; 6] = b"ENSWAL";
pub const VERSION: u8 = 1;
pub const HEADER: usize = 16;

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
    /// A damaged last record: where it starts, and why it is not a record.
    pub damage: Option<(usize, &'static str)>,
}

/// Read a segment's records. Damage followed by a whole record is corruption, whatever
/// segment it is in; damage at the very end is left to the caller (a torn tail or not).
pub fn scan(path: &Path, data: &[u8], first: u64) -> Result<Scan, WalError> {
    if data.len() < HEADER || &data[..6] != MAGIC {
        return Err(WalError::corrupt(path, 0, "no segment header"));
    }
    if data[7] != VERSION {
        return Err(WalError::corrupt(path, 7, "a format version this build does not read"));
    }
    if data[8..16] != first.to_le_bytes() {
        return Err(WalError::corrupt(path, 8, "its header names another first record than its file name"));
    }
    let (mut records, mut at) = (Vec::new(), HEADER);
    loop {
        match decode(&data[at..]) {
            Frame::Record { payload, size } => {
                records.push(payload.to_vec());
                at += size;
            }
            Frame::End => return Ok(Scan { records, end: at, damage: None }),
            Frame::Bad(why) => {
                if let Some(later) = record_after(data, at) {
                    let why =
                        format!("a damaged record at byte {at} ({why}) is followed by a whole one at byte {later}");
                    return Err(WalError::corrupt(path, at, &why));
                }
                return Ok(Scan { records, end: at, damage: Some((at, why)) });
            }
        }
    }
}
