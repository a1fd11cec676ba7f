//! Group commit: one thread owns the log, takes every write queued since its last
//! `fdatasync`, appends them all, syncs once, and tells the node how many records are
//! durable. At low load one write is one fsync; under load batches form by themselves,
//! with no delay added to wait for them.

use super::{Wal, WalError};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Instant;

/// One record to write; a checkpoint starts a new segment.
pub struct Entry {
    pub bytes: Payload,
    pub checkpoint: bool,
    /// Nothing waits for it (`Node::is_bookkeeping`): a batch of such records alone is
    /// synced with the next write, or after [`LAZY_SYNC`], not at once.
    pub lazy: bool,
}

/// A record's bytes, or how to make them on the writer's thread: a checkpoint (a node's
/// whole state) is serialized there, so a large tree does not stall the node's task,
/// which keeps answering reads, pings and its peers meanwhile.
pub enum Payload {
    Bytes(Vec<u8>),
    Later(Box<dyn FnOnce() -> Vec<u8> + Send>),
}

impl Payload {
    fn into_bytes(self) -> Vec<u8> {
        match self {
            Payload::Bytes(b) => b,
            Payload::Later(make) => make(),
        }
    }
}

/// How long a batch of lazy records may wait for a write to share its sync.
pub const LAZY_SYNC: std::time::Duration = std::time::Duration::from_millis(2);

/// What the writer tells the node after each batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// `records` more records are durable (`upto`: the log's next index after them), in
    /// a batch of `writes` writes that took one sync of `fsync_micros`.
    Durable { records: u64, upto: u64, writes: usize, fsync_micros: u64 },
    /// The disk failed: nothing more will be durable, and the node must stop.
    Failed(String),
}

pub struct Writer {
    tx: Option<Sender<Vec<Entry>>>,
    thread: Option<JoinHandle<Result<(), WalError>>>,
}

impl Writer {
    /// Start the writer thread for `wal`; `notify` is called on that thread.
    pub fn spawn(wal: Wal, notify: impl FnMut(Notice) + Send + 'static) -> Writer {
        let (tx, rx) = channel();
        let thread = std::thread::Builder::new()
            .name("wal-writer".into())
            .spawn(move || run(wal, rx, notify))
            .expect("a thread can be started");
        Writer { tx: Some(tx), thread: Some(thread) }
    }

    /// Queue one write (a handler's records). `false` if the writer has stopped.
    pub fn write(&self, entries: Vec<Entry>) -> bool {
        self.tx.as_ref().is_some_and(|tx| tx.send(entries).is_ok())
    }

    /// Finish what is queued and stop; the error that stopped it early, if any.
    pub fn close(mut self) -> Result<(), WalError> {
        self.tx.take();
        self.thread.take().map_or(Ok(()), |t| t.join().expect("the writer does not panic"))
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(mut wal: Wal, rx: Receiver<Vec<Entry>>, mut notify: impl FnMut(Notice)) -> Result<(), WalError> {
    let mut writes: Vec<Vec<Entry>> = Vec::new();
    let mut deadline = Instant::now();
    loop {
        // Lazy records alone wait a little (from the first of them) for a write to sync
        // with: a follower's delivery mark then never delays the fsync its next ACK
        // waits for.
        let next = if writes.is_empty() {
            let first = rx.recv().map_err(|_| RecvTimeoutError::Disconnected);
            deadline = Instant::now() + LAZY_SYNC;
            first
        } else {
            rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
        };
        let stopped = match next {
            Ok(first) => {
                writes.push(first);
                writes.extend(rx.try_iter());
                if writes.iter().flatten().all(|e| e.lazy) {
                    continue;
                }
                false
            }
            Err(RecvTimeoutError::Timeout) => false,
            Err(RecvTimeoutError::Disconnected) => true,
        };
        if !writes.is_empty() {
            match commit(&mut wal, std::mem::take(&mut writes)) {
                Ok(notice) => notify(notice),
                Err(e) => {
                    notify(Notice::Failed(e.to_string()));
                    return Err(e);
                }
            }
        }
        if stopped {
            return Ok(());
        }
    }
}

/// Append a batch (starting a segment at each checkpoint) and sync it once.
fn commit(wal: &mut Wal, writes: Vec<Vec<Entry>>) -> Result<Notice, WalError> {
    let before = wal.next_index();
    let count = writes.len();
    let mut run: Vec<Vec<u8>> = Vec::new();
    for entry in writes.into_iter().flatten() {
        if entry.checkpoint {
            wal.append(&run)?;
            run.clear();
            wal.start_segment()?;
        }
        run.push(entry.bytes.into_bytes());
    }
    wal.append(&run)?;
    let start = Instant::now();
    wal.sync()?;
    let fsync_micros = start.elapsed().as_micros() as u64;
    let upto = wal.next_index();
    Ok(Notice::Durable { records: upto - before, upto, writes: count, fsync_micros })
}

#[cfg(test)]
mod tests {
    use super::super::{Wal, WalOptions};
    use super::*;
    use std::sync::{Arc, Mutex};

    fn entry(s: &str, checkpoint: bool) -> Entry {
        Entry { bytes: Payload::Bytes(s.as_bytes().to_vec()), checkpoint, lazy: false }
    }

    #[test]
    fn every_queued_write_becomes_durable_and_is_told_in_order() {
        let dir = tempfile::TempDir::new().expect("temp dir");
        let opts = WalOptions { preallocate_bytes: 4096, ..WalOptions::default() };
        let (wal, _) = Wal::open(dir.path(), opts.clone()).expect("opens");
        let notices = Arc::new(Mutex::new(Vec::new()));
        let seen = notices.clone();
        let writer = Writer::spawn(wal, move |n| seen.lock().expect("not poisoned").push(n));
        for i in 0..50 {
            let checkpoint = i % 20 == 19;
            assert!(writer.write(vec![entry(&format!("r{i}"), checkpoint), entry(&format!("s{i}"), false)]));
        }
        writer.close().expect("closes cleanly");
        let notices = notices.lock().expect("not poisoned");
        let mut expected_upto = 0;
        for n in notices.iter() {
            let Notice::Durable { records, upto, writes, .. } = n else { panic!("{n:?}") };
            expected_upto += records;
            assert_eq!((*upto, *records), (expected_upto, 2 * *writes as u64));
        }
        assert_eq!(expected_upto, 100);
        let (_, rec) = Wal::open(dir.path(), opts).expect("reopens");
        let last = rec.records.last().map(|r| String::from_utf8_lossy(r).into_owned());
        assert_eq!(last.as_deref(), Some("s49"));
        assert!(String::from_utf8_lossy(&rec.records[0]).starts_with('r'), "a checkpoint opens its segment");
    }

    /// A lazy record alone is synced with the next write (one notice for both), or on
    /// its own once `LAZY_SYNC` has passed; it never waits longer.
    #[test]
    fn lazy_records_share_the_next_writes_sync_or_wait_at_most_lazy_sync() {
        let dir = tempfile::TempDir::new().expect("temp dir");
        let opts = WalOptions { preallocate_bytes: 4096, ..WalOptions::default() };
        let (wal, _) = Wal::open(dir.path(), opts).expect("opens");
        let (tx, rx) = std::sync::mpsc::channel();
        let writer = Writer::spawn(wal, move |n| {
            let _ = tx.send((Instant::now(), n));
        });
        let lazy = |s: &str| Entry { lazy: true, ..entry(s, false) };
        writer.write(vec![lazy("d1")]);
        writer.write(vec![entry("l2", false)]);
        let (_, first) = rx.recv_timeout(std::time::Duration::from_secs(5)).expect("a notice");
        assert!(matches!(first, Notice::Durable { records: 2, upto: 2, .. }), "{first:?}");
        let asked = Instant::now();
        writer.write(vec![lazy("d2")]);
        let (at, alone) = rx.recv_timeout(std::time::Duration::from_secs(5)).expect("a notice");
        assert!(matches!(alone, Notice::Durable { records: 1, upto: 3, .. }), "{alone:?}");
        assert!(at.duration_since(asked) >= LAZY_SYNC, "synced after {:?}", at.duration_since(asked));
        writer.close().expect("closes cleanly");
    }

    /// A checkpoint's bytes are made on the writer's thread, not the node's, and land
    /// where a checkpoint goes: first in a new segment.
    #[test]
    fn a_later_payload_is_serialized_on_the_writer_thread() {
        let dir = tempfile::TempDir::new().expect("temp dir");
        let opts = WalOptions { preallocate_bytes: 4096, ..WalOptions::default() };
        let (wal, _) = Wal::open(dir.path(), opts.clone()).expect("opens");
        let writer = Writer::spawn(wal, |_| {});
        let made_on = Arc::new(Mutex::new(None));
        let seen = made_on.clone();
        let make = move || {
            *seen.lock().expect("not poisoned") = std::thread::current().name().map(str::to_string);
            b"checkpoint".to_vec()
        };
        writer.write(vec![entry("before", false)]);
        writer.write(vec![Entry { bytes: Payload::Later(Box::new(make)), checkpoint: true, lazy: false }]);
        writer.close().expect("closes cleanly");
        assert_eq!(made_on.lock().expect("not poisoned").as_deref(), Some("wal-writer"));
        let (_, rec) = Wal::open(dir.path(), opts).expect("reopens");
        assert_eq!(rec.records, vec![b"before".to_vec(), b"checkpoint".to_vec()]);
    }
}
