//! Where the sequence diagram draws things: virtual time to x, nodes to lanes, and the
//! arrows' outlines. Plain geometry, tested natively.
//!
//! Messages take a few ms; timeouts take hundreds. Drawn to one scale, a run would be a
//! few bursts lost in empty space, so a quiet stretch longer than [`GAP_MS`] is drawn
//! [`GAP_MS`] long and marked as shortened (`Scale::breaks`).

use ensemble_core::sim::{Arrow, End, Sequence};
use ensemble_core::types::NodeId;

pub const PX_PER_MS: f64 = 4.0;
/// A longer stretch with nothing happening is drawn this long (and marked).
pub const GAP_MS: u64 = 20;
/// Room above the lanes for the time labels.
pub const AXIS_PX: f64 = 18.0;
pub const LANE_PX: f64 = 36.0;
/// Room below the lanes for the shortened stretches' lengths.
pub const BOTTOM_PX: f64 = 14.0;
/// Room left of the first time and right of now (the "now" label).
pub const LEFT_PX: f64 = 12.0;
pub const RIGHT_PX: f64 = 56.0;
/// Half an arrow's shaft, and its head's length.
const SHAFT_PX: f64 = 1.2;
const HEAD_PX: f64 = 7.0;
/// An arrow still in flight is dashed: dashes this long, with gaps this long.
const DASH_PX: f64 = 5.0;
const DASH_GAP_PX: f64 = 3.0;

/// Virtual time to x: piecewise linear through the times something happens.
#[derive(Debug, PartialEq)]
pub struct Scale {
    /// `(time_ms, x)`, both increasing.
    points: Vec<(u64, f64)>,
    /// Each shortened stretch: where it is drawn (x) and how long it really was (ms).
    pub breaks: Vec<(f64, u64)>,
}

impl Scale {
    /// The scale for the arrows, down spans and now of `seq`.
    pub fn of(seq: &Sequence) -> Scale {
        let mut times: Vec<u64> = vec![seq.now_ms];
        for a in &seq.arrows {
            times.push(a.sent.time_ms);
            times.push(end_time_ms(a, seq.now_ms));
        }
        times.extend(seq.down.iter().flat_map(|d| [d.from_ms, d.until_ms.unwrap_or(seq.now_ms)]));
        times.sort_unstable();
        times.dedup();
        let mut points = Vec::with_capacity(times.len());
        let mut breaks = Vec::new();
        let mut x = LEFT_PX;
        for (i, &t) in times.iter().enumerate() {
            if let Some(&prev) = i.checked_sub(1).and_then(|p| times.get(p)) {
                let gap_ms = t - prev;
                if gap_ms > GAP_MS {
                    breaks.push((x + GAP_MS as f64 * PX_PER_MS / 2.0, gap_ms));
                }
                x += gap_ms.min(GAP_MS) as f64 * PX_PER_MS;
            }
            points.push((t, x));
        }
        Scale { points, breaks }
    }

    /// Where time `t` is drawn (between two known times, in proportion).
    pub fn x(&self, t: u64) -> f64 {
        let i = self.points.partition_point(|(pt, _)| *pt < t);
        match (i.checked_sub(1).map(|p| self.points[p]), self.points.get(i)) {
            (_, Some(&(pt, x))) if pt == t => x,
            (Some((t0, x0)), Some(&(t1, x1))) => x0 + (x1 - x0) * (t - t0) as f64 / (t1 - t0) as f64,
            (Some((_, x)), None) | (None, Some(&(_, x))) => x,
            (None, None) => LEFT_PX,
        }
    }

    /// The diagram's width: to the last time, with room for the "now" label.
    pub fn width(&self) -> f64 {
        self.points.last().map_or(LEFT_PX, |p| p.1) + RIGHT_PX
    }
}

/// When an arrow's end is drawn: where it ended, or now if it has not.
fn end_time_ms(a: &Arrow, now_ms: u64) -> u64 {
    match a.end {
        End::Delivered { at } | End::Dropped { at, .. } => at.time_ms,
        End::InFlight { .. } => now_ms,
    }
}

/// The y of node `node`'s lane.
pub fn lane_y(nodes: &[NodeId], node: NodeId) -> f64 {
    let i = nodes.iter().position(|n| *n == node).unwrap_or(0);
    AXIS_PX + (i as f64 + 0.5) * LANE_PX
}

/// Where an arrow starts and ends: an arrow still in flight stops at now, as far
/// across as its trip has gone.
pub fn ends(a: &Arrow, nodes: &[NodeId], now_ms: u64, scale: &Scale) -> ((f64, f64), (f64, f64)) {
    let (y0, y1) = (lane_y(nodes, a.from), lane_y(nodes, a.to));
    let start = (scale.x(a.sent.time_ms), y0);
    let y_end = match a.end {
        End::InFlight { due_ms } if due_ms > a.sent.time_ms => {
            let done = now_ms.saturating_sub(a.sent.time_ms) as f64 / (due_ms - a.sent.time_ms) as f64;
            y0 + (y1 - y0) * done.min(1.0)
        }
        _ => y1,
    };
    (start, (scale.x(end_time_ms(a, now_ms)), y_end))
}

/// An arrow's outline as an SVG path (filled, so it takes the message kind's fill
/// colour): a thin shaft, dashed if `dashed`, and a head if `head`.
pub fn arrow_path(from: (f64, f64), to: (f64, f64), dashed: bool, head: bool) -> String {
    let (dx, dy) = (to.0 - from.0, to.1 - from.1);
    let len = (dx * dx + dy * dy).sqrt();
    if len < 0.5 {
        return String::new();
    }
    let (ux, uy) = (dx / len, dy / len);
    let at = |d: f64, side: f64| (from.0 + ux * d - uy * side, from.1 + uy * d + ux * side);
    let head_px = if head { HEAD_PX.min(len) } else { 0.0 };
    let shaft_px = len - head_px;
    let mut d = String::new();
    let mut quad = |a: f64, b: f64| {
        let pts = [at(a, SHAFT_PX), at(b, SHAFT_PX), at(b, -SHAFT_PX), at(a, -SHAFT_PX)];
        d.push_str(&polygon(&pts));
    };
    if dashed {
        let mut a = 0.0;
        while a < shaft_px {
            quad(a, (a + DASH_PX).min(shaft_px));
            a += DASH_PX + DASH_GAP_PX;
        }
    } else {
        quad(0.0, shaft_px);
    }
    if head {
        d.push_str(&polygon(&[at(len, 0.0), at(shaft_px, HEAD_PX / 2.0), at(shaft_px, -HEAD_PX / 2.0)]));
    }
    d
}

fn polygon(pts: &[(f64, f64)]) -> String {
    let mut d = String::new();
    for (i, (x, y)) in pts.iter().enumerate() {
        d.push_str(&format!("{}{x:.1} {y:.1}", if i == 0 { "M" } else { "L" }));
    }
    d.push('Z');
    d
}

/// A cross centred on `at`: where a dropped message ended.
pub fn cross_path((x, y): (f64, f64)) -> String {
    const R: f64 = 4.0;
    format!("M{:.1} {:.1}L{:.1} {:.1}M{:.1} {:.1}L{:.1} {:.1}", x - R, y - R, x + R, y + R, x - R, y + R, x + R, y - R)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ensemble_core::sim::At;

    fn arrow(sent_ms: u64, end: End) -> Arrow {
        let sent = At { step: 1, time_ms: sent_ms };
        Arrow {
            msg_id: 1,
            from: NodeId(1),
            to: NodeId(2),
            kind: "M".into(),
            text: "M".into(),
            copy_of: None,
            sent,
            end,
        }
    }

    /// A quiet 100 ms is drawn as `GAP_MS`, and marked; a 5 ms trip is to scale.
    #[test]
    fn quiet_stretches_are_shortened() {
        let delivered = End::Delivered { at: At { step: 2, time_ms: 5 } };
        let seq = Sequence { arrows: vec![arrow(0, delivered)], now_ms: 105, ..Sequence::default() };
        let s = Scale::of(&seq);
        let trip = 5.0 * PX_PER_MS;
        let quiet = GAP_MS as f64 * PX_PER_MS;
        assert_eq!((s.x(0), s.x(5), s.x(105)), (LEFT_PX, LEFT_PX + trip, LEFT_PX + trip + quiet));
        assert_eq!(s.x(55), LEFT_PX + trip + quiet / 2.0);
        assert_eq!(s.breaks, vec![(LEFT_PX + trip + quiet / 2.0, 100)]);
        assert_eq!(s.width(), LEFT_PX + trip + quiet + RIGHT_PX);
    }

    /// In flight: the arrow stops at now, as far across as its trip has gone.
    #[test]
    fn an_arrow_in_flight_stops_at_now() {
        let a = arrow(0, End::InFlight { due_ms: 10 });
        let seq = Sequence { nodes: vec![NodeId(1), NodeId(2)], arrows: vec![a], now_ms: 5, ..Sequence::default() };
        let s = Scale::of(&seq);
        let (from, to) = ends(&seq.arrows[0], &seq.nodes, 5, &s);
        assert_eq!(from, (LEFT_PX, AXIS_PX + LANE_PX / 2.0));
        assert_eq!(to, (LEFT_PX + 5.0 * PX_PER_MS, AXIS_PX + LANE_PX));
    }

    #[test]
    fn a_dashed_arrow_is_in_pieces() {
        assert_eq!(arrow_path((0.0, 0.0), (0.0, 0.0), true, false), "");
        let solid = arrow_path((0.0, 0.0), (20.0, 0.0), false, true);
        assert_eq!(solid, "M0.0 1.2L13.0 1.2L13.0 -1.2L0.0 -1.2ZM20.0 0.0L13.0 3.5L13.0 -3.5Z");
        assert_eq!(arrow_path((0.0, 0.0), (20.0, 0.0), true, false).matches('M').count(), 3);
    }
}
