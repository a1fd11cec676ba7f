//! The app's words for ZAB's leaders and its clients' operations,
//! in English and Simplified Chinese (glossary: teaching.md). Protocol names (LOOKING,
//! PROPOSAL, zxid...) stay as ZooKeeper writes them, in both languages.

use super::client_ops::{OpError, Problem};
use ensemble_core::explain::Lang;

pub struct ZabTexts {
    pub leaders: &'static str,
    pub epoch: &'static str,
    pub none_yet: &'static str,
    pub op: &'static str,
    pub client: &'static str,
    pub path: &'static str,
    pub data: &'static str,
    pub ephemeral: &'static str,
    pub sequential: &'static str,
    pub watch: &'static str,
    pub version: &'static str,
    pub version_any: &'static str,
    pub multi_help: &'static str,
}

pub const EN: ZabTexts = ZabTexts {
    leaders: "Leaders",
    epoch: "epoch",
    none_yet: "none yet",
    op: "operation",
    client: "client",
    path: "path",
    data: "data",
    ephemeral: "ephemeral",
    sequential: "sequential",
    watch: "watch",
    version: "version",
    version_any: "version; empty means any",
    multi_help: "One operation a line (create, set, delete, check), applied all or none",
};

pub const ZH: ZabTexts = ZabTexts {
    leaders: "领导者",
    epoch: "纪元",
    none_yet: "尚无",
    op: "操作",
    client: "客户端",
    path: "路径",
    data: "数据",
    ephemeral: "临时节点",
    sequential: "顺序节点",
    watch: "监听",
    version: "版本",
    version_any: "版本；留空表示任意",
    multi_help: "每行一个操作（create、set、delete、check），全部生效或全部不生效",
};

pub fn zab_texts(lang: Lang) -> &'static ZabTexts {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

/// The words of the vote table and the znode tree inspector (`panels`).
pub struct PanelTexts {
    pub inspect: &'static str,
    pub votes_of: &'static str,
    pub tree_of: &'static str,
    pub round: &'static str,
    pub holds: &'static str,
    pub no_vote: &'static str,
    pub agree: &'static str,
    pub from: &'static str,
    pub server_id: &'static str,
    pub versus: &'static str,
    pub order_hint: &'static str,
    pub own: &'static str,
    pub out_of_election: &'static str,
    pub leading: &'static str,
    pub none_received: &'static str,
    pub last_applied: &'static str,
    pub znodes: &'static str,
    pub differ: &'static str,
    pub watches: &'static str,
    pub local_hint: &'static str,
}

pub const PANEL_EN: PanelTexts = PanelTexts {
    inspect: "Inspect server",
    votes_of: "FLE votes of node",
    tree_of: "Znode tree of node",
    round: "round",
    holds: "holds",
    no_vote: "no vote",
    agree: "agree; a quorum is",
    from: "from",
    server_id: "server id",
    versus: "vs. its vote",
    order_hint: "Compared in this order: epoch, then zxid, then server id; the first field that differs decides.",
    own: "itself",
    out_of_election: "out of election",
    leading: "leads",
    none_received: "No votes received.",
    last_applied: "last applied zxid",
    znodes: "znodes",
    differ: "differ from another server",
    watches: "watches",
    local_hint: "Watches belong to this server and are not replicated; they never count as a difference.",
};

pub const PANEL_ZH: PanelTexts = PanelTexts {
    inspect: "查看服务器",
    votes_of: "快速选主选票：节点",
    tree_of: "数据树：节点",
    round: "选举轮次",
    holds: "当前选票",
    no_vote: "无选票",
    agree: "票相同；法定人数为",
    from: "来自",
    server_id: "服务器 id",
    versus: "与其选票相比",
    order_hint: "按此顺序比较：先比纪元，再比 zxid，最后比服务器 id；第一个不同的字段决定胜负。",
    own: "自己",
    out_of_election: "已结束选举",
    leading: "领导中",
    none_received: "尚未收到选票。",
    last_applied: "最后应用的 zxid",
    znodes: "数据节点",
    differ: "与其他服务器不同",
    watches: "监听",
    local_hint: "监听属于本服务器，不会复制；它们不算作差异。",
};

pub fn panel_texts(lang: Lang) -> &'static PanelTexts {
    match lang {
        Lang::En => &PANEL_EN,
        Lang::Zh => &PANEL_ZH,
    }
}

/// What is wrong with the client form, and where: `line 2: get cannot go in a multi...`.
pub fn op_error(lang: Lang, e: &OpError) -> String {
    let zh = lang == Lang::Zh;
    let what = match &e.problem {
        Problem::Empty if zh => "multi 至少需要一个操作，每行一个".to_string(),
        Problem::Empty => "a multi needs at least one operation, one a line".to_string(),
        Problem::NotInMulti(w) if zh => format!("multi 中不能有“{w}”：只能是 create、set、delete 或 check"),
        Problem::NotInMulti(w) => format!("“{w}” cannot go in a multi: only create, set, delete or check"),
        Problem::UnknownOp(w) if zh => format!("未知操作“{w}”"),
        Problem::UnknownOp(w) => format!("unknown operation “{w}”"),
        Problem::NoPath if zh => "缺少路径".to_string(),
        Problem::NoPath => "the path is missing".to_string(),
        Problem::NotAPath(w) if zh => format!("“{w}”不是路径：路径以 / 开头"),
        Problem::NotAPath(w) => format!("“{w}” is not a path: paths start with /"),
        Problem::BadFlag(f) if zh => format!("该操作没有选项 {f}"),
        Problem::BadFlag(f) => format!("this operation has no option {f}"),
        Problem::BadVersion(v) if zh => format!("版本“{v}”不是整数"),
        Problem::BadVersion(v) => format!("the version “{v}” is not a whole number"),
        Problem::Unexpected(w) if zh => format!("路径之后多了“{w}”"),
        Problem::Unexpected(w) => format!("unexpected “{w}” after the path"),
    };
    match e.line {
        Some(n) if zh => format!("第 {n} 行：{what}"),
        Some(n) => format!("line {n}: {what}"),
        None => what,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_error_names_its_line_in_either_language() {
        let e = OpError { line: Some(2), problem: Problem::NotInMulti("get".into()) };
        assert_eq!(op_error(Lang::En, &e), "line 2: “get” cannot go in a multi: only create, set, delete or check");
        assert_eq!(op_error(Lang::Zh, &e), "第 2 行：multi 中不能有“get”：只能是 create、set、delete 或 check");
        let e = OpError { line: None, problem: Problem::BadVersion("x".into()) };
        assert_eq!(op_error(Lang::En, &e), "the version “x” is not a whole number");
    }
}
