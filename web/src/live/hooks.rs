//! Live mode's effects: is there a real ensemble, the poll of `/live`, the clock that
//! hands the events on, and the event feeds following the nodes.

use super::api::{self, now_ms, LiveNode};
use super::socket::{Feeds, Inbox};
use super::state::LiveAction;
use gloo_timers::callback::Interval;
use std::cell::Cell;
use std::rc::Rc;
use yew::platform::spawn_local;
use yew::prelude::*;

/// How often the nodes' statuses are asked for.
const POLL_MS: u32 = 500;
/// How often the events that came are handed to the state (and messages move).
const TICK_MS: u32 = 50;

/// Whether `ensemble demo` runs a real ensemble beside the page: `GET /live` answers.
#[hook]
pub fn use_live_available() -> bool {
    let available = use_state(|| false);
    {
        let available = available.clone();
        use_effect_with((), move |_| {
            spawn_local(async move {
                if api::nodes().await.is_ok() {
                    available.set(true);
                }
            })
        });
    }
    *available
}

/// Poll `/live` now and every [`POLL_MS`] while mounted, one request at a time.
#[hook]
pub fn use_poll(dispatch: Callback<LiveAction>) {
    use_effect_with((), move |_| {
        let busy = Rc::new(Cell::new(false));
        let poll = move || {
            if busy.replace(true) {
                return;
            }
            let (busy, dispatch) = (busy.clone(), dispatch.clone());
            spawn_local(async move {
                let asked_at = now_ms();
                let answer = api::nodes().await;
                busy.set(false);
                dispatch.emit(match answer {
                    Ok(nodes) => LiveAction::Polled { nodes, asked_at },
                    Err(e) => LiveAction::PollFailed(e),
                });
            });
        };
        poll();
        let interval = Interval::new(POLL_MS, poll);
        move || drop(interval)
    });
}

/// Every [`TICK_MS`], hand the feed items that came to the state.
#[hook]
pub fn use_ticker(inbox: Inbox, dispatch: Callback<LiveAction>) {
    use_effect_with((), move |_| {
        let interval = Interval::new(TICK_MS, move || {
            let feed = std::mem::take(&mut *inbox.borrow_mut());
            dispatch.emit(LiveAction::Tick { now_ms: now_ms(), feed });
        });
        move || drop(interval)
    });
}

/// After each poll (`polls` counts them), subscribe to the running nodes' events; close
/// every subscription when live mode ends.
#[hook]
pub fn use_feeds(nodes: Rc<Vec<LiveNode>>, polls: u64, asked_at: u64, inbox: Inbox) {
    let feeds = use_mut_ref(Feeds::default);
    {
        let feeds = feeds.clone();
        use_effect_with((), move |_| move || feeds.borrow_mut().close_all());
    }
    use_effect_with(polls, move |_| feeds.borrow_mut().sync(&nodes, asked_at, &inbox));
}
