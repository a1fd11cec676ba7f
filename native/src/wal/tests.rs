use super::*;
use std::cell::RefCell;
use tempfile::TempDir;

thread_local! {
    /// This thread's changes to directories and syncs of them, in order (`note_dir`).
    static DIR_OPS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Called by the log at each file created or deleted and each directory synced.
pub(super) fn note_dir(op: &str, path: &Path) {
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    DIR_OPS.with(|ops| ops.borrow_mut().push(format!("{op} {name}")));
}

fn take_dir_ops() -> Vec<String> {
    DIR_OPS.with(|ops| std::mem::take(&mut *ops.borrow_mut()))
}

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

/// ZooKeeper's ZOOKEEPER-2249: a record larger than the preallocation unit (and than
/// the read buffer) must be neither cut when written nor when read back, in the middle
/// of a segment or opening one, and the log must go on after it.
#[test]
fn a_record_larger_than_the_preallocation_unit_is_kept_whole() {
    let dir = TempDir::new().expect("temp dir");
    let big = |b: u8| vec![b; 200_000];
    let (mut wal, _) = Wal::open(dir.path(), opts(4096)).expect("opens");
    wal.append(&[b"before".to_vec(), big(7)]).expect("appends");
    wal.sync().expect("syncs");
    let (mut wal, rec) = Wal::open(dir.path(), opts(4096)).expect("reopens");
    assert_eq!(rec.records, [b"before".to_vec(), big(7)]);
    wal.append(&records(0..2)).expect("appends after it");
    wal.start_segment().expect("starts a segment");
    wal.append(&[big(8), b"after".to_vec()]).expect("a big record opens a segment");
    wal.sync().expect("syncs");
    let (_, rec) = Wal::open(dir.path(), WalOptions { keep_segments: 10, ..opts(4096) }).expect("reopens");
    assert_eq!(
        rec.records,
        [vec![b"before".to_vec(), big(7)], records(0..2), vec![big(8), b"after".to_vec()]].concat()
    );
    for (_, path) in segment::list(dir.path()).expect("lists") {
        let size = std::fs::metadata(&path).expect("a segment").len();
        assert!(size > 200_000 && size % 4096 != 0, "{}: grown to fit, {size} bytes", path.display());
    }
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

/// A crash after a checkpoint's segment was started but before the old segments were
/// deleted: simulated by putting the deleted segments back. The log reads them all in
/// order (the node's replay starts again at each checkpoint), refuses nothing, and the
/// next checkpoint deletes them.
#[test]
fn old_segments_a_crash_left_behind_read_in_order_and_go_at_the_next_checkpoint() {
    let dir = TempDir::new().expect("temp dir");
    let saved = TempDir::new().expect("temp dir");
    let (mut wal, _) = Wal::open(dir.path(), opts(4096)).expect("opens");
    for round in 0..4u32 {
        if round > 0 {
            wal.start_segment().expect("starts a segment");
        }
        wal.append(&records(round * 2..round * 2 + 2)).expect("appends");
        wal.sync().expect("syncs");
        for (_, path) in segment::list(dir.path()).expect("lists") {
            std::fs::copy(&path, saved.path().join(path.file_name().expect("a name"))).expect("copies");
        }
    }
    let firsts = |dir: &Path| segment::list(dir).expect("lists").iter().map(|(f, _)| *f).collect::<Vec<_>>();
    assert_eq!(firsts(dir.path()), [4, 6], "keep_segments 1: the newest and one before it");
    for first in [0, 2] {
        let name = segment::name(first);
        std::fs::copy(saved.path().join(&name), dir.path().join(&name)).expect("restores");
    }
    let (mut wal, rec) = Wal::open(dir.path(), opts(4096)).expect("reopens");
    assert_eq!((rec.records, rec.repair), (records(0..8), None));
    wal.start_segment().expect("starts a segment");
    assert_eq!(firsts(dir.path()), [6, 8]);
}

/// Every file created or deleted in the log's directory (the directory itself, segments,
/// the copy of a torn record) is followed by a sync of the directory that holds it before
/// anything else changes, and old segments go oldest first; `--fsync never` syncs none.
#[test]
fn every_change_to_the_directory_is_made_durable_in_order() {
    let parent = TempDir::new().expect("temp dir");
    let dir = parent.path().join("data");
    take_dir_ops();
    let (mut wal, _) = Wal::open(&dir, opts(4096)).expect("opens");
    for round in 0..3u32 {
        wal.append(&records(round..round + 1)).expect("appends");
        wal.start_segment().expect("starts a segment");
    }
    wal.append(&records(3..4)).expect("appends");
    wal.sync().expect("syncs");
    // A segment created but never written, then a torn record in it.
    std::fs::write(dir.join(segment::name(4)), b"").expect("writes");
    drop(Wal::open(&dir, opts(4096)).expect("reopens"));
    let file = OpenOptions::new().write(true).open(dir.join(segment::name(4))).expect("opens");
    file.write_all_at(&[0xA5; 5], segment::HEADER as u64).expect("writes");
    assert!(Wal::open(&dir, opts(4096)).expect("reopens").1.repair.is_some());

    let ops = take_dir_ops();
    let changes: Vec<&String> = ops.iter().filter(|o| !o.starts_with("sync")).collect();
    let seg = |op: &str, first: u64| format!("{op} {}", segment::name(first));
    let expected = [
        "create data".to_string(),
        seg("create", 0),
        seg("create", 1),
        seg("create", 2),
        seg("delete", 0),
        seg("create", 3),
        seg("delete", 1),
        seg("delete", 4),
        seg("create", 4),
        format!("create {}.torn-at-16", segment::name(4)),
    ];
    assert_eq!(changes, expected.iter().collect::<Vec<_>>());
    let parent_name = parent.path().file_name().expect("a name").to_string_lossy();
    for (i, op) in ops.iter().enumerate().filter(|(_, o)| !o.starts_with("sync")) {
        let holder = if op == "create data" { parent_name.as_ref() } else { "data" };
        assert_eq!(ops.get(i + 1), Some(&format!("sync {holder}")), "after {op}: {ops:?}");
    }

    let fast = WalOptions { fsync: false, ..opts(4096) };
    let (mut wal, _) = Wal::open(&parent.path().join("fast"), fast).expect("opens");
    wal.append(&records(0..1)).expect("appends");
    wal.start_segment().expect("starts a segment");
    assert!(take_dir_ops().iter().all(|o| !o.starts_with("sync")), "--fsync never");
}

/// A segment's records, where its data ends, and the bytes of a damaged last record.
type Whole = (Vec<Vec<u8>>, usize, Option<Vec<u8>>);

/// The reading rules applied to a segment held whole in memory, as the log read them
/// before it read incrementally: the reference `segment::scan` must agree with.
/// `Err(offset)`: damage there followed by a whole record.
fn scan_whole(data: &[u8]) -> Result<Whole, usize> {
    let (mut records, mut at) = (Vec::new(), segment::HEADER);
    loop {
        match frame::decode(&data[at..]) {
            frame::Frame::Record { payload, size } => {
                records.push(payload.to_vec());
                at += size;
            }
            frame::Frame::End => return Ok((records, at, None)),
            frame::Frame::Bad(_) if frame::record_after(data, at).is_some() => return Err(at),
            frame::Frame::Bad(_) => {
                let end = data.iter().rposition(|b| *b != 0).map_or(at, |p| p + 1).max(at);
                return Ok((records, at, Some(data[at..end].to_vec())));
            }
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

    /// Records of any bytes (zeros too), zeros after them, then damage: bytes
    /// overwritten, zeroed or the file cut short, anywhere after the header.
    #[test]
    fn reading_incrementally_agrees_with_reading_whole(
        payloads in proptest::collection::vec(proptest::collection::vec(0u8..4, 1..40), 0..6),
        padding in 0usize..80,
        damage in proptest::collection::vec((0usize..400, 0u8..3, 1usize..12, proptest::num::u8::ANY), 0..3),
    ) {
        let mut data = segment::header(0).to_vec();
        for p in &payloads {
            frame::encode(p, &mut data);
        }
        data.resize(data.len() + padding, 0);
        for (at, how, len, byte) in damage {
            let at = segment::HEADER + at % (data.len() - segment::HEADER + 1);
            let end = (at + len).min(data.len());
            match how {
                0 => data[at..end].fill(byte),
                1 => data[at..end].fill(0),
                _ => data.truncate(at),
            }
        }
        let dir = TempDir::new().expect("temp dir");
        let path = dir.path().join(segment::name(0));
        std::fs::write(&path, &data).expect("writes");
        let expected = scan_whole(&data);
        match segment::scan(&path, 0) {
            Ok(Some(scan)) => {
                let damage = scan.damage.map(|d| (d.offset, d.bytes));
                let got = (scan.records, scan.end, damage.as_ref().map(|d| d.1.clone()));
                proptest::prop_assert_eq!(Ok(got), expected);
                proptest::prop_assert!(damage.is_none_or(|d| d.0 == scan.end));
            }
            Ok(None) => proptest::prop_assert!(false, "a segment with a header read as blank"),
            Err(WalError::Corrupt { offset, .. }) => proptest::prop_assert_eq!(Err(offset), expected),
            Err(e) => proptest::prop_assert!(false, "{}", e),
        }
    }
}
