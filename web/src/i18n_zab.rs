//! The app's words for ZAB servers, partitions, buggy modes and client operations,
//! in English and Simplified Chinese (glossary: teaching.md). Protocol names (LOOKING,
//! PROPOSAL, zxid...) stay as ZooKeeper writes them, in both languages.

use ensemble_core::explain::Lang;

pub struct ZabTexts {
    pub buggy: &'static str,
    pub leaders: &'static str,
    pub role: &'static str,
    pub epoch: &'static str,
    pub none_yet: &'static str,
    pub partition: &'static str,
    pub group: &'static str,
    pub phase: &'static str,
    pub vote: &'static str,
    pub round: &'static str,
    pub vote_tuple: &'static str,
    pub accepted: &'static str,
    pub accepted_epoch: &'static str,
    pub current_epoch: &'static str,
    pub last_zxid: &'static str,
    pub committed: &'static str,
    pub znodes: &'static str,
    pub digest: &'static str,
    pub op: &'static str,
    pub client: &'static str,
    pub path: &'static str,
    pub data: &'static str,
    pub ephemeral: &'static str,
    pub sequential: &'static str,
    pub watch: &'static str,
}

pub const EN: ZabTexts = ZabTexts {
    buggy: "Buggy mode",
    leaders: "Leaders",
    role: "role",
    epoch: "epoch",
    none_yet: "none yet",
    partition: "Partition",
    group: "group",
    phase: "phase",
    vote: "vote",
    round: "round",
    vote_tuple: "(proposed leader, its zxid, its epoch)",
    accepted: "accepted",
    accepted_epoch: "accepted epoch (acceptedEpoch)",
    current_epoch: "current epoch (currentEpoch)",
    last_zxid: "last zxid",
    committed: "committed",
    znodes: "znodes",
    digest: "digest",
    op: "operation",
    client: "client",
    path: "path",
    data: "data",
    ephemeral: "ephemeral",
    sequential: "sequential",
    watch: "watch",
};

pub const ZH: ZabTexts = ZabTexts {
    buggy: "缺陷模式",
    leaders: "领导者",
    role: "角色",
    epoch: "纪元",
    none_yet: "尚无",
    partition: "网络分区",
    group: "组",
    phase: "阶段",
    vote: "投票",
    round: "选举轮次",
    vote_tuple: "（推举的领导者, 其 zxid, 其纪元）",
    accepted: "已接受",
    accepted_epoch: "已接受纪元 (acceptedEpoch)",
    current_epoch: "当前纪元 (currentEpoch)",
    last_zxid: "最新 zxid",
    committed: "已提交",
    znodes: "数据节点",
    digest: "摘要",
    op: "操作",
    client: "客户端",
    path: "路径",
    data: "数据",
    ephemeral: "临时节点",
    sequential: "顺序节点",
    watch: "监听",
};

pub fn zab_texts(lang: Lang) -> &'static ZabTexts {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

/// What a ZAB phase or server state means, for a tooltip: `BROADCAST` → "broadcast mode".
pub fn gloss(lang: Lang, name: &str) -> &'static str {
    let (en, zh) = match name {
        "ELECTION" => ("leader election (recovery mode)", "选举（恢复模式）"),
        "DISCOVERY" => ("discovery: agreeing on a new epoch", "发现：商定新纪元"),
        "SYNCHRONIZATION" => ("synchronization mode", "同步模式"),
        "BROADCAST" => ("broadcast mode", "广播模式"),
        "LOOKING" => ("looking for a leader", "寻找/选举状态"),
        "FOLLOWING" => ("following the leader", "跟随状态"),
        "LEADING" => ("leading the ensemble", "领导状态"),
        "OBSERVING" => ("observing: never votes", "观察状态（不投票）"),
        _ => ("", ""),
    };
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}
