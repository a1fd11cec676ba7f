//! WebSockets to the real nodes: [`Socket`] owns a browser `WebSocket` and its handlers,
//! and [`Feeds`] keeps one `/events` subscription per running node, reopening one when
//! its node comes back. Frames are handed on as they come; nothing here draws.

use super::api::{js_error, now_ms, ws_url, LiveNode};
use ensemble_core::sim::TraceLine;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, WebSocket};

/// Feed items waiting for the next tick; more than this are dropped (a hidden tab's
/// timers slow down, its sockets do not).
const INBOX_MAX: usize = 8192;

type Handler = Closure<dyn FnMut(JsValue)>;

/// Sends frames on a socket, holding them until it opens; handed to `on_text` too, so a
/// reply can be answered.
#[derive(Clone)]
pub struct Outbox {
    ws: WebSocket,
    queue: Rc<RefCell<Vec<String>>>,
}

impl Outbox {
    /// Send a text frame (after the socket opens, if it is opening); false if it closed.
    pub fn send(&self, frame: String) -> bool {
        match self.ws.ready_state() {
            WebSocket::CONNECTING => self.queue.borrow_mut().push(frame),
            WebSocket::OPEN => return self.ws.send_with_str(&frame).is_ok(),
            _ => return false,
        }
        true
    }
}

/// A browser WebSocket; closed when dropped.
pub struct Socket {
    out: Outbox,
    closed_at: Rc<Cell<Option<u64>>>,
    _handlers: [Handler; 3],
}

impl Socket {
    /// Open `url`: `on_text` gets every text frame, `on_close` is told when either side
    /// closed it (or it never opened).
    pub fn open(
        url: &str,
        on_text: impl Fn(&Outbox, String) + 'static,
        on_close: impl Fn() + 'static,
    ) -> Result<Socket, String> {
        let ws = WebSocket::new(url).map_err(js_error)?;
        let out = Outbox { ws: ws.clone(), queue: Rc::default() };
        let closed_at = Rc::new(Cell::new(None));
        let on_open = {
            let out = out.clone();
            Handler::new(move |_| {
                for frame in std::mem::take(&mut *out.queue.borrow_mut()) {
                    out.send(frame);
                }
            })
        };
        let on_message = {
            let out = out.clone();
            Handler::new(move |e: JsValue| {
                if let Some(text) = e.dyn_ref::<MessageEvent>().and_then(|m| m.data().as_string()) {
                    on_text(&out, text);
                }
            })
        };
        let closed = closed_at.clone();
        let on_closed = Handler::new(move |_| {
            closed.set(Some(now_ms()));
            on_close();
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_closed.as_ref().unchecked_ref()));
        Ok(Socket { out, closed_at, _handlers: [on_open, on_message, on_closed] })
    }

    pub fn send(&self, frame: String) -> bool {
        self.out.send(frame)
    }

    /// When it closed (browser clock), if it did.
    pub fn closed_at(&self) -> Option<u64> {
        self.closed_at.get()
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        let ws = &self.out.ws;
        ws.set_onopen(None);
        ws.set_onmessage(None);
        ws.set_onclose(None);
        if ws.ready_state() != WebSocket::CLOSED {
            let _ = ws.close();
        }
    }
}

/// What a node's `/events` brings: a trace line, or how many lines it missed when the
/// node dropped it for falling behind.
#[derive(Clone, Debug, PartialEq)]
pub enum Feed {
    Line(TraceLine),
    Lagged { node: u32, missed: u64 },
}

/// Feed items since the last tick, from every node.
pub type Inbox = Rc<RefCell<Vec<Feed>>>;

/// One `/events` frame of node `node`; `None` for a frame the page cannot read. The
/// events come back typed (the narration needs them so); messages stay JSON, which
/// names and describes itself (typing them too would cost the app 90 KiB).
pub fn parse_feed(node: u32, frame: &str) -> Option<Feed> {
    if let Ok(line) = serde_json::from_str::<TraceLine>(frame) {
        return Some(Feed::Line(line));
    }
    let lagged = serde_json::from_str::<serde_json::Value>(frame).ok()?.get("lagged")?.as_u64()?;
    Some(Feed::Lagged { node, missed: lagged })
}

/// The `/events` subscriptions, one per running node, by id (with the address it is to).
#[derive(Default)]
pub struct Feeds {
    open: BTreeMap<u32, (String, Socket)>,
}

impl Feeds {
    /// Follow a poll of the nodes asked at `asked_at`: subscribe to every running node;
    /// a subscription that closed is reopened only if a poll asked after it closed still
    /// finds its node running (so a crash is not answered by a doomed reconnection).
    pub fn sync(&mut self, nodes: &[LiveNode], asked_at: u64, inbox: &Inbox) {
        self.open.retain(|id, _| nodes.iter().any(|n| n.id == *id && n.running));
        for n in nodes.iter().filter(|n| n.running) {
            let stale = match self.open.get(&n.id) {
                None => true,
                Some((addr, s)) => *addr != n.addr || s.closed_at().is_some_and(|t| t < asked_at),
            };
            if !stale {
                continue;
            }
            self.open.remove(&n.id);
            let (id, inbox) = (n.id, inbox.clone());
            let on_text = move |_: &Outbox, frame: String| {
                let mut inbox = inbox.borrow_mut();
                if inbox.len() < INBOX_MAX {
                    // A frame gathers one or more lines of the node's trace.
                    inbox.extend(frame.lines().filter_map(|line| parse_feed(id, line)));
                }
            };
            if let Ok(socket) = Socket::open(&ws_url(&n.addr, "/events"), on_text, || {}) {
                self.open.insert(n.id, (n.addr.clone(), socket));
            }
        }
    }

    pub fn close_all(&mut self) {
        self.open.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ensemble_core::event::Event;

    #[test]
    fn feed_frames_read_as_trace_lines_or_lag() {
        let send = r#"{"step":3,"time_ms":1700000000000,"node":1,"event":{"type":"send","msg_id":1099511627777,"from":1,"to":2,"msg":{"type":"PING","sessions":[],"zxid":{"epoch":1,"counter":0}}}}"#;
        let Some(Feed::Line(line)) = parse_feed(1, send) else { panic!("a send reads") };
        let Event::Send { msg_id, msg, .. } = &line.event else { panic!("a send") };
        assert_eq!((*msg_id, msg.name().as_ref()), (1_099_511_627_777, "PING"));
        assert_eq!(parse_feed(2, r#"{"lagged":12}"#), Some(Feed::Lagged { node: 2, missed: 12 }));
        assert_eq!(parse_feed(2, "nonsense"), None);
    }
}
