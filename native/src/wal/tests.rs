use super::*;
use tempfile::TempDir;

fn opts(preallocate_bytes: u64) -> WalOptions {
    WalOptions { preallocate_bytes, fsync: true, keep_segments: 1 }
}

fn records(range: std::ops::Range<u32>) -> Vec<Vec<u8>> {
    range.map(|i| format!("record {i}").into_bytes()).collect()
}

/// A log in a fresh directory holding `n` records, closed again.
fn log_with(n: u32, preallocate_bytes: u64) -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    let (mut wal, rec) = Wal::open(dir.path(), opts(preallocate_bytes)).expect("opens");
    assert!(rec.records.is_empty());
    wal.append(&records(0..n)).expect("appends");
    wal.sync().expect("syncs");
    dir
}

fn only_segment(dir: &Path) -> PathBuf {
    let segments = segment::list(dir).expect("lists");
    assert_eq!(segments.len(), 1);
    segments[0].1.clone()
}

#[test]
fn records_come_back_in_order_and_the_log_goes_on_after_them() {
    let dir = log_with(5, 4096);
    let (mut wal, rec) = Wal::open(dir.path(), opts(4096)).expect("reopens");
    assert_eq!(rec.records, records(0..5));
    assert_eq!((wal.next_index(), rec.repair), (5, None));
    wal.append(&records(5..7)).expect("appends");
    wal.sync().expect("syncs");
    let (_, rec) = Wal::open(dir.path(), opts(4096)).expect("reopens");
    assert_eq!(rec.records, records(0..7));
}

#[test]
fn a_record_larger_than_the_preallocation_unit_is_kept_whole() {
    let dir = TempDir::new().expect("temp dir");
    let (mut wal, _) = Wal::open(dir.path(), opts(64)).expect("opens");
    let big = vec![vec![7u8; 1000], b"after".to_vec()];
    wal.append(&big).expect("appends");
    wal.sync().expect("syncs");
    let (_, rec) = Wal::open(dir.path(), opts(64)).expect("reopens");
    assert_eq!(rec.records, big);
}

/// Damage the last record (bytes `from..` of it) three ways, at every offset: the
/// log opens with the records before it, cuts it aside, and takes new records.
#[test]
fn a_torn_last_record_is_cut_at_every_byte_offset() {
    let last_frame_len = frame::FRAME_HEADER + "record 2".len();
    for from in 0..last_frame_len {
        for how in ["truncated", "zeroed", "garbage"] {
            let dir = log_with(3, 4096);
            let path = only_segment(dir.path());
            let mut data = std::fs::read(&path).expect("reads");
            let start = segment::HEADER + 2 * last_frame_len + from;
            match how {
                "truncated" => data.truncate(start),
                "zeroed" => data[start..start + last_frame_len - from].fill(0),
                _ => data[start..start + last_frame_len - from].fill(0xA5),
            }
            std::fs::write(&path, &data).expect("writes");
            let (mut wal, rec) = Wal::open(dir.path(), opts(4096)).unwrap_or_else(|e| panic!("{how} at {from}: {e}"));
            assert_eq!(rec.records, records(0..2), "{how} at {from}");
            let cut = from > 0 || how == "garbage";
            assert_eq!(rec.repair.is_some(), cut, "{how} at {from}: {:?}", rec.repair);
            wal.append(&records(7..8)).expect("appends");
            wal.sync().expect("syncs");
            let (_, rec) = Wal::open(dir.path(), opts(4096)).expect("reopens");
            assert_eq!(rec.records, [records(0..2), records(7..8)].concat(), "{how} at {from}, reopened");
        }
    }
}

#[test]
fn damage_followed_by_a_whole_record_refuses_to_open() {
    let dir = log_with(3, 4096);
    let path = only_segment(dir.path());
    let mut data = std::fs::read(&path).expect("reads");
    data[segment::HEADER + frame::FRAME_HEADER + 1] ^= 0xFF;
    std::fs::write(&path, &data).expect("writes");
    let err = Wal::open(dir.path(), opts(4096)).err().expect("refuses");
    assert!(err.to_string().contains("followed by a whole one"), "{err}");
    assert!(err.to_string().contains("resynchronizes"), "{err}");
}

#[test]
fn damage_in_an_older_segment_refuses_to_open() {
    let dir = TempDir::new().expect("temp dir");
    let keep_all = WalOptions { keep_segments: 10, ..opts(4096) };
    let (mut wal, _) = Wal::open(dir.path(), keep_all.clone()).expect("opens");
    wal.append(&records(0..3)).expect("appends");
    wal.start_segment().expect("starts a segment");
    wal.append(&records(3..5)).expect("appends");
    wal.sync().expect("syncs");
    let first = segment::list(dir.path()).expect("lists")[0].1.clone();
    let mut data = std::fs::read(&first).expect("reads");
    let last_byte = data.iter().rposition(|b| *b != 0).expect("data");
    data[last_byte] ^= 0xFF;
    std::fs::write(&first, &data).expect("writes");
    let err = Wal::open(dir.path(), keep_all).err().expect("refuses");
    assert!(matches!(err, WalError::Corrupt { .. }), "{err}");
}

#[test]
fn checkpoints_start_segments_and_old_ones_go() {
    let dir = TempDir::new().expect("temp dir");
    let (mut wal, _) = Wal::open(dir.path(), opts(4096)).expect("opens");
    for round in 0..4u32 {
        wal.start_segment().expect("starts a segment");
        wal.append(&records(round * 10..round * 10 + 3)).expect("appends");
        wal.sync().expect("syncs");
    }
    let firsts: Vec<u64> = segment::list(dir.path()).expect("lists").iter().map(|(f, _)| *f).collect();
    assert_eq!(firsts, [6, 9], "the newest segment and one before it are kept");
    let (wal, rec) = Wal::open(dir.path(), opts(4096)).expect("reopens");
    assert_eq!(rec.records, [records(20..23), records(30..33)].concat());
    assert_eq!(wal.next_index(), 12);
}

#[test]
fn a_crash_before_old_segments_went_leaves_a_log_that_still_reads_in_order() {
    let dir = TempDir::new().expect("temp dir");
    let keep_all = WalOptions { keep_segments: 10, ..opts(4096) };
    let (mut wal, _) = Wal::open(dir.path(), keep_all).expect("opens");
    wal.append(&records(0..2)).expect("appends");
    wal.start_segment().expect("starts a segment");
    wal.append(&records(2..4)).expect("appends");
    wal.sync().expect("syncs");
    // Reopened by a node that keeps fewer: all is read, nothing is lost.
    let (_, rec) = Wal::open(dir.path(), opts(4096)).expect("reopens");
    assert_eq!(rec.records, records(0..4));
}

#[test]
fn an_empty_last_segment_without_a_header_is_started_again() {
    let dir = log_with(2, 4096);
    std::fs::write(dir.path().join(segment::name(2)), b"").expect("writes");
    let (mut wal, rec) = Wal::open(dir.path(), opts(4096)).expect("opens");
    assert_eq!(rec.records, records(0..2));
    wal.append(&records(2..3)).expect("appends");
    wal.sync().expect("syncs");
    let (_, rec) = Wal::open(dir.path(), opts(4096)).expect("reopens");
    assert_eq!(rec.records, records(0..3));
}

#[test]
fn a_segment_that_does_not_follow_the_one_before_refuses_to_open() {
    let dir = log_with(2, 4096);
    std::fs::write(dir.path().join(segment::name(5)), segment::header(5)).expect("writes");
    let err = Wal::open(dir.path(), opts(4096)).err().expect("refuses");
    assert!(err.to_string().contains("where record 2 was due"), "{err}");
}
