//! A client of the real ensemble: pick a node and an operation, and the page sends it
//! over that node's `/client` WebSocket (docs/client-protocol.md), connecting a session
//! first on a new connection, then shows the reply.

use super::api::ws_url;
use super::i18n::live_texts;
use super::socket::{Outbox, Socket};
use crate::i18n::texts;
use crate::zab::client_form::{on_pick, on_text};
use crate::zab::client_ops::{takes_data, takes_path, Draft};
use crate::zab::i18n::zab_texts;
use ensemble_core::explain::Lang;
use serde_json::{json, Value};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use yew::prelude::*;

/// The operations the form offers.
pub const OPS: [&str; 7] = ["create", "get", "set", "delete", "exists", "children", "sync"];
/// The session a connection asks for (the server may grant less).
const SESSION_MS: u64 = 30_000;

/// The request frame of `op` on `path` (with `data` for create and set).
pub fn request(id: u64, op: &str, path: &str, data: &str) -> String {
    let path = if path.trim().is_empty() { "/" } else { path.trim() };
    let mut frame = json!({"id": id, "op": op, "path": path});
    if takes_data(op) {
        frame["data"] = Value::from(data);
    }
    frame.to_string()
}

/// What the reply box shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    None,
    Waiting,
    /// A reply frame as it came, and whether it says `ok`.
    Frame(String, bool),
    /// The connection closed before the reply came.
    Closed,
    /// No connection could be opened to this address.
    Unreachable(String),
}

/// What to show of a reply frame, if anything.
fn shown(frame: &str) -> Option<Reply> {
    let v: Value = serde_json::from_str(frame).ok()?;
    let ok = v["ok"].as_bool() == Some(true);
    v.get("id").is_some().then(|| Reply::Frame(frame.to_string(), ok))
}

/// Whether `frame` is the reply to a new connection's `connect` (always id 1), and if
/// so whether it opened the session.
fn connected(frame: &str) -> Option<bool> {
    let v: Value = serde_json::from_str(frame).ok()?;
    (v["id"] == 1).then(|| v["ok"].as_bool() == Some(true))
}

/// A connection's session: requests wait for `connect` to open it (the server refuses
/// any request before), and the page waits for one reply at a time.
#[derive(Default)]
struct Session {
    open: Cell<bool>,
    /// `connect` was refused (the node is electing, say): the next send reconnects.
    refused: Cell<bool>,
    waiting: Cell<bool>,
    pending: RefCell<Vec<String>>,
}

impl Session {
    /// A frame came: open the session (and send what waited), or show the reply.
    fn take(&self, out: &Outbox, frame: String, reply: &UseStateHandle<Reply>) {
        match connected(&frame) {
            Some(true) => {
                self.open.set(true);
                for f in self.pending.take() {
                    out.send(f);
                }
                return;
            }
            Some(false) => self.refused.set(true),
            None => {}
        }
        if let Some(r) = shown(&frame) {
            self.waiting.set(false);
            reply.set(r);
        }
    }
}

/// One connection to a node's `/client`, with its session.
struct Conn {
    node: u32,
    socket: Socket,
    next_id: u64,
    session: Rc<Session>,
}

impl Conn {
    /// Open a connection to `addr` (node `node`) and connect a session first.
    fn open(node: u32, addr: &str, reply: &UseStateHandle<Reply>) -> Option<Conn> {
        let session = Rc::new(Session::default());
        let (on_frame, on_close) = (reply.clone(), reply.clone());
        let (s, closed) = (session.clone(), session.clone());
        let on_text = move |out: &Outbox, frame: String| s.take(out, frame, &on_frame);
        let on_closed = move || {
            if closed.waiting.replace(false) {
                on_close.set(Reply::Closed);
            }
        };
        let socket = Socket::open(&ws_url(addr, "/client"), on_text, on_closed).ok()?;
        socket.send(json!({"id": 1, "op": "connect", "session_timeout_ms": SESSION_MS}).to_string());
        Some(Conn { node, socket, next_id: 2, session })
    }

    fn reusable(&self, node: u32) -> bool {
        self.node == node && self.socket.closed_at().is_none() && !self.session.refused.get()
    }

    fn send(&mut self, d: &Draft) {
        let frame = request(self.next_id, &d.op, &d.path, &d.data);
        self.next_id += 1;
        self.session.waiting.set(true);
        if self.session.open.get() {
            self.socket.send(frame);
        } else {
            self.session.pending.borrow_mut().push(frame);
        }
    }
}

#[derive(PartialEq, Properties)]
pub struct LiveClientProps {
    pub lang: Lang,
    /// `(id, address, running)` of every node.
    pub nodes: Vec<(u32, String, bool)>,
}

#[function_component]
pub fn LiveClient(props: &LiveClientProps) -> Html {
    let (t, z, l) = (texts(props.lang), zab_texts(props.lang), live_texts(props.lang));
    let draft =
        use_state(|| Draft { op: "create".into(), path: "/hello".into(), data: "world".into(), ..Draft::default() });
    let reply = use_state(|| Reply::None);
    let conn: Rc<RefCell<Option<Conn>>> = use_mut_ref(|| None);
    let on_submit = {
        let (draft, reply, nodes) = (draft.clone(), reply.clone(), props.nodes.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let addr = nodes.iter().find(|n| n.0 == draft.node).map(|n| n.1.clone()).unwrap_or_default();
            let mut slot = conn.borrow_mut();
            if !slot.as_ref().is_some_and(|c| c.reusable(draft.node)) {
                *slot = Conn::open(draft.node, &addr, &reply);
            }
            match slot.as_mut() {
                Some(c) => {
                    c.send(&draft);
                    reply.set(Reply::Waiting);
                }
                None => reply.set(Reply::Unreachable(addr)),
            }
        })
    };
    let d = (*draft).clone();
    html! {
        <form class="request client-form live-client" onsubmit={on_submit} aria-label={l.client}>
            <span class="label">{ l.client }</span>
            <select id="live-client-node" aria-label={t.node} onchange={on_pick(&draft, |d, v| d.node = v.parse().unwrap_or(1))}>
                { for props.nodes.iter().map(|(id, _, up)| html! {
                    <option value={id.to_string()} selected={*id == d.node}>
                        { format!("{} {id}{}", t.node, if *up { String::new() } else { format!(" ({})", l.down) }) }
                    </option>
                }) }
            </select>
            <select id="live-client-op" aria-label={z.op} onchange={on_pick(&draft, |d, v| d.op = v)}>
                { for OPS.iter().map(|o| html! { <option value={*o} selected={*o == d.op}>{ *o }</option> }) }
            </select>
            if takes_path(&d.op) {
                <input id="live-client-path" type="text" aria-label={z.path} placeholder={z.path} maxlength="60"
                    value={d.path.clone()} oninput={on_text(&draft, |d, v| d.path = v)} />
            }
            if takes_data(&d.op) {
                <input id="live-client-data" type="text" aria-label={z.data} placeholder={z.data} maxlength="60"
                    value={d.data.clone()} oninput={on_text(&draft, |d, v| d.data = v)} />
            }
            <button type="submit" id="live-client-send">{ t.send }</button>
            { reply_box(&reply, props.lang) }
        </form>
    }
}

fn reply_box(reply: &Reply, lang: Lang) -> Html {
    let l = live_texts(lang);
    let (text, ok) = match reply {
        Reply::None => (l.no_reply.to_string(), None),
        Reply::Waiting => (l.sending.to_string(), None),
        Reply::Frame(frame, ok) => (frame.clone(), Some(*ok)),
        Reply::Closed => (l.closed.to_string(), Some(false)),
        Reply::Unreachable(addr) => (format!("{}: {addr}", l.unreachable), Some(false)),
    };
    let class = classes!("live-reply", ok.map(|ok| if ok { "ok" } else { "bad" }));
    html! {
        <output id="live-client-reply" class={class} aria-live="polite" data-ok={ok.map(|o| o.to_string())}>
            <span class="label">{ l.reply }{ ": " }</span><code>{ text }</code>
        </output>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_carry_their_fields_and_wait_for_the_session() {
        assert_eq!(request(2, "create", "/a", "x"), r#"{"data":"x","id":2,"op":"create","path":"/a"}"#);
        assert_eq!(request(3, "get", " ", "x"), r#"{"id":3,"op":"get","path":"/"}"#);
        assert_eq!(connected(r#"{"id":1,"ok":true,"session_id":5,"timeout_ms":4000}"#), Some(true));
        let refused = r#"{"id":1,"ok":false,"error":{"code":"ConnectionLoss","message":"electing"}}"#;
        assert_eq!(connected(refused), Some(false));
        assert_eq!(shown(refused), Some(Reply::Frame(refused.into(), false)), "a refused connect shows");
        assert_eq!(connected(r#"{"id":2,"ok":true,"path":"/a"}"#), None);
        assert!(matches!(shown(r#"{"id":2,"ok":true,"path":"/a"}"#), Some(Reply::Frame(_, true))));
        assert_eq!(shown(r#"{"watch":{"type":"deleted","path":"/a"}}"#), None, "a watch push is no reply");
    }
}
