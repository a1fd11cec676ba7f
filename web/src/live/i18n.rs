//! Live mode's own words in English and Simplified Chinese. What the nodes did is
//! narrated by `ensemble_core::explain`, as in the simulator; these are the page's
//! labels and the notes of what the page itself saw.

use super::state::Note;
use ensemble_core::explain::Lang;
use ensemble_core::view::Text;

pub struct LiveTexts {
    pub mode: &'static str,
    pub simulator: &'static str,
    pub live: &'static str,
    pub live_title: &'static str,
    pub intro: &'static str,
    pub waiting: &'static str,
    pub leader: &'static str,
    pub no_leader: &'static str,
    pub heartbeats: &'static str,
    pub poll_failed: &'static str,
    pub client: &'static str,
    pub reply: &'static str,
    pub no_reply: &'static str,
    pub sending: &'static str,
    pub closed: &'static str,
    pub unreachable: &'static str,
    pub down: &'static str,
}

pub const EN: LiveTexts = LiveTexts {
    mode: "Mode",
    simulator: "Simulator",
    live: "Live",
    live_title: "A real ensemble",
    intro: "Three ZAB servers run on this machine, each on its own port with its log on disk. \
            Their messages are drawn as their events arrive (each for at least 0.6 s: real ones take \
            under a millisecond).",
    waiting: "waiting for the nodes…",
    leader: "Leader",
    no_leader: "none: electing",
    heartbeats: "show heartbeats (PING)",
    poll_failed: "the demo server does not answer",
    client: "Client of the real ensemble",
    reply: "Reply",
    no_reply: "Send a request: the reply shows here.",
    sending: "waiting for the reply…",
    closed: "the connection closed before the reply",
    unreachable: "cannot connect to",
    down: "down",
};

pub const ZH: LiveTexts = LiveTexts {
    mode: "模式",
    simulator: "模拟器",
    live: "实时",
    live_title: "真实的集群",
    intro: "本机上运行着三个 ZAB 服务器，各有自己的端口和磁盘日志。它们的消息在事件到达时画出\
            （每条至少显示 0.6 秒：真实消息不到一毫秒就送达）。",
    waiting: "正在等待节点……",
    leader: "领导者",
    no_leader: "无：正在选举",
    heartbeats: "显示心跳（PING）",
    poll_failed: "演示服务器没有响应",
    client: "真实集群的客户端",
    reply: "回复",
    no_reply: "发送一个请求，回复会显示在这里。",
    sending: "正在等待回复……",
    closed: "回复到达之前连接已关闭",
    unreachable: "无法连接到",
    down: "已停止",
};

pub fn live_texts(lang: Lang) -> &'static LiveTexts {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

/// Labels of the facts a real server adds to its card.
pub const SESSIONS: Text = Text::new("sessions", "会话");
pub const CLIENTS: Text = Text::new("clients", "客户端连接");
pub const FSYNC: Text = Text::new("fsync p50 / p99", "fsync p50 / p99");
pub const FSYNC_HINT: Text =
    Text::new("time to make the log durable (fdatasync), since start", "日志落盘（fdatasync）耗时，自启动以来");

/// What the page saw happen to node `node`, in a sentence.
pub fn note(lang: Lang, node: u32, note: Note) -> String {
    match (note, lang) {
        (Note::Down, Lang::En) => format!("Node {node} is down: its process was killed, its log stays on disk."),
        (Note::Down, Lang::Zh) => format!("节点 {node} 已停止：进程被杀死，日志仍在磁盘上。"),
        (Note::Up, Lang::En) => format!("Node {node} runs again: it recovered from its log and looks for the leader."),
        (Note::Up, Lang::Zh) => format!("节点 {node} 重新运行：从日志恢复，并寻找领导者。"),
        (Note::Lagged(n), Lang::En) => {
            format!("Node {node}'s event stream fell {n} lines behind and was dropped; the page reconnects.")
        }
        (Note::Lagged(n), Lang::Zh) => format!("节点 {node} 的事件流落后 {n} 行而被断开；页面会重新连接。"),
    }
}
