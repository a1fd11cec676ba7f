//! One record on disk: `len` (u32, little-endian), `crc` (u32, little-endian, CRC32 of the
//! four `len` bytes and the payload), then `len` payload bytes. A `len` of 0 is where the
//! data ends: segments are preallocated with zeros, and no record is empty.

/// Bytes before a record's payload.
pub const FRAME_HEADER: usize = 8;

/// The largest payload accepted; a `len` above it is damage, not a record.
pub const MAX_RECORD: usize = 1 << 30;

/// The frame of `payload`, appended to `out`.
pub fn encode(payload: &[u8], out: &mut Vec<u8>) {
    debug_assert!(!payload.is_empty() && payload.len() <= MAX_RECORD);
    let len = (payload.len() as u32).to_le_bytes();
    let mut crc = crc32fast::Hasher::new();
    crc.update(&len);
    crc.update(payload);
    out.extend_from_slice(&len);
    out.extend_from_slice(&crc.finalize().to_le_bytes());
    out.extend_from_slice(payload);
}

/// What is at an offset of a segment's data.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame<'a> {
    /// A whole record whose checksum matches; the next one starts `size` bytes on.
    Record { payload: &'a [u8], size: usize },
    /// Zeros: the end of the data.
    End,
    /// Not a record: cut short, a bad length, or a checksum that does not match.
    Bad(&'static str),
}

/// Read the frame at the start of `data`.
pub fn decode(data: &[u8]) -> Frame<'_> {
    if data.len() < 4 {
        return if data.iter().all(|b| *b == 0) { Frame::End } else { Frame::Bad("cut short in its length") };
    }
    let len = u32::from_le_bytes(data[..4].try_into().expect("4 bytes")) as usize;
    if len == 0 {
        return if data[..data.len().min(FRAME_HEADER)].iter().all(|b| *b == 0) {
            Frame::End
        } else {
            Frame::Bad("a zero length with a checksum")
        };
    }
    if len > MAX_RECORD {
        return Frame::Bad("a length above the largest record");
    }
    if data.len() < FRAME_HEADER + len {
        return Frame::Bad("cut short in its payload");
    }
    let stored = u32::from_le_bytes(data[4..8].try_into().expect("4 bytes"));
    let mut crc = crc32fast::Hasher::new();
    crc.update(&data[..4]);
    crc.update(&data[FRAME_HEADER..FRAME_HEADER + len]);
    if crc.finalize() != stored {
        return Frame::Bad("its checksum does not match");
    }
    Frame::Record { payload: &data[FRAME_HEADER..FRAME_HEADER + len], size: FRAME_HEADER + len }
}

/// The first offset after `from` at which a whole, checksummed record starts, if any:
/// a record after a damaged one means the damage is not a torn tail.
pub fn record_after(data: &[u8], from: usize) -> Option<usize> {
    let end = data.iter().rposition(|b| *b != 0).map_or(0, |p| p + 1);
    (from + 1..end).find(|o| matches!(decode(&data[*o..]), Frame::Record { .. }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_back_and_zeros_end_the_data() {
        let mut data = Vec::new();
        encode(b"hello", &mut data);
        data.extend_from_slice(&[0; 16]);
        assert_eq!(decode(&data), Frame::Record { payload: b"hello", size: 13 });
        assert_eq!(decode(&data[13..]), Frame::End);
        assert_eq!(decode(&[]), Frame::End);
    }

    #[test]
    fn damage_is_never_read_as_a_record() {
        let mut data = Vec::new();
        encode(b"hello", &mut data);
        for i in 0..data.len() {
            let mut bad = data.clone();
            bad[i] ^= 0x40;
            assert!(matches!(decode(&bad), Frame::Bad(_)), "byte {i} flipped");
            assert!(matches!(decode(&data[..i]), Frame::Bad(_) | Frame::End), "cut at {i}");
        }
    }

    #[test]
    fn a_record_after_damage_is_found() {
        let mut data = vec![0xAB; 5];
        encode(b"later", &mut data);
        assert_eq!(record_after(&data, 0), Some(5));
        assert_eq!(record_after(&[0xAB, 0, 0, 0], 0), None);
    }
}
