//! Is a concurrent history linearizable? Wing and Gong's search, with Lowe's memoisation,
//! as the Go library porcupine does it.
//!
//! Every operation becomes two entries, its call and its return, in one list sorted by
//! time. The search walks the list from its head: at a call it tries to make that
//! operation take effect next (the model must accept it), **lifts** it and its return out
//! of the list and starts again from the head; at a return it has met an operation that
//! finished before anything still in the list was placed, so the last choice was wrong:
//! it pops it, **unlifts** it (the removals undo in reverse order, as dancing links) and
//! tries the next call. Lowe's cache of (set of placed operations, model state) pairs
//! already explored cuts the search from factorial to, in practice, near linear: two
//! orders that placed the same operations and reached the same state have the same future.
//!
//! An operation whose outcome is unknown (timed out, connection lost) has `ret ==`
//! [`NO_RETURN`]: it has no return entry, so it may take effect at any point after its
//! call, and the search succeeds once every operation that did return is placed, so it
//! may also never take effect. Those are the two things it may have done.
//!
//! Two prunings beyond porcupine's, both exact: a pending operation that would change
//! nothing is not placed (later, or never, does as well), and a read-only one (a read, a
//! failure: [`Model::is_read_only`]) that can go now goes now, as the only choice there.
//! What stays exponential is the set of pending writes placed so far: many of them on
//! one object can exhaust the step budget, and the answer is then [`CheckResult::Unknown`].

use std::collections::HashSet;
use std::fmt::{self, Debug};
use std::hash::Hash;

/// The `ret` of an operation whose reply never came: it may or may not have taken effect.
pub const NO_RETURN: u64 = u64::MAX;

/// A sequential specification: the states an object goes through, one operation at a time.
pub trait Model {
    type State: Clone + Eq + Hash + Debug;
    type Input: Debug;
    type Output: Debug;
    /// The state before any operation.
    fn init() -> Self::State;
    /// The state after `input` took effect in `state` and answered `output`, or `None` if
    /// the object could not have answered that there.
    fn step(state: &Self::State, input: &Self::Input, output: &Self::Output) -> Option<Self::State>;
    /// True if an operation that answered `output` leaves every state as it was (a read,
    /// a failure): the search then places it as soon as it can, without trying to place
    /// it later. Answer `false` when unsure; that is only slower.
    fn is_read_only(_input: &Self::Input, _output: &Self::Output) -> bool {
        false
    }
}

/// One operation of a history: who asked what, what came back, and when (any unit, as
/// long as every operation of one check uses the same clock).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation<I, O> {
    pub client: u64,
    pub input: I,
    pub output: O,
    pub call: u64,
    /// When the reply arrived; [`NO_RETURN`] if it never did.
    pub ret: u64,
}

impl<I, O> Operation<I, O> {
    /// True if the reply never came, so the operation may or may not have taken effect.
    pub fn is_pending(&self) -> bool {
        self.ret == NO_RETURN
    }
}

/// What [`check`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckResult {
    /// Some order of the operations respects real time and the model.
    Ok,
    /// No order does.
    Illegal(Illegal),
    /// The search took `steps` steps, its budget, without deciding.
    Unknown { steps: u64 },
}

impl CheckResult {
    pub fn is_ok(&self) -> bool {
        matches!(self, CheckResult::Ok)
    }
    pub fn is_illegal(&self) -> bool {
        matches!(self, CheckResult::Illegal(_))
    }
}

/// Why a history is not linearizable, as indices into the operations checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Illegal {
    /// The longest order found that respects real time and the model.
    pub prefix: Vec<usize>,
    /// The operation that returned before anything else could follow that prefix: no
    /// order of the operations called before its return lets it take effect.
    pub blocked: usize,
    /// The model state after the prefix, as `Debug` prints it.
    pub state: String,
}

impl Illegal {
    /// A readable account, describing operation `i` with `describe(i)`.
    pub fn explain(&self, describe: impl Fn(usize) -> String) -> String {
        let mut out = format!("the longest linearizable prefix found has {} operation(s):\n", self.prefix.len());
        for &i in &self.prefix {
            out += &format!("    {}\n", describe(i));
        }
        out += &format!(
            "  it leaves the state {}; then no order lets this operation take effect before it returned:\n    {}",
            self.state,
            describe(self.blocked)
        );
        out
    }
}

/// Describe operation `index` in one line, for [`Illegal::explain`].
pub fn describe<I: Debug, O: Debug>(index: usize, op: &Operation<I, O>) -> String {
    let ret = if op.is_pending() { "never".to_string() } else { op.ret.to_string() };
    format!("#{index} client {} [{}, {ret}] {:?} -> {:?}", op.client, op.call, op.input, op.output)
}

/// Search for an order of `ops` that respects real time (an operation that returned
/// before another was called comes first) and `M`, in at most `budget` steps.
pub fn check<M: Model>(ops: &[Operation<M::Input, M::Output>], budget: u64) -> CheckResult {
    Search::<M>::new(ops).run(budget)
}

/// A set of operation indices, hashable, for the cache.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }
    fn flip(&mut self, i: usize) {
        self.0[i / 64] ^= 1 << (i % 64);
    }
}

/// Marks the end of the list of entries.
const NONE: usize = usize::MAX;

/// The call and return entries as a doubly linked list in arrays. Index 0 is the head
/// and the last index the tail, so unlinking never meets an edge.
struct Entries {
    op: Vec<usize>,
    /// For a call, its return entry (`NONE` if it never returned); `NONE` for a return.
    matching: Vec<usize>,
    is_call: Vec<bool>,
    next: Vec<usize>,
    prev: Vec<usize>,
}

impl Entries {
    fn new<I, O>(ops: &[Operation<I, O>]) -> Entries {
        // (time, return?, op): at equal times calls come first, so operations that only
        // touch at an instant count as concurrent and the checker does not accuse a
        // history its clock could not resolve.
        let mut events: Vec<(u64, bool, usize)> = Vec::with_capacity(2 * ops.len());
        for (i, op) in ops.iter().enumerate() {
            events.push((op.call, false, i));
            if !op.is_pending() {
                events.push((op.ret.max(op.call), true, i));
            }
        }
        events.sort_unstable();
        let n = events.len() + 2;
        let mut e = Entries {
            op: vec![NONE; n],
            matching: vec![NONE; n],
            is_call: vec![false; n],
            next: (1..=n).collect(),
            prev: (0..n).map(|i| i.wrapping_sub(1)).collect(),
        };
        let mut call_of = vec![NONE; ops.len()];
        for (k, &(_, is_ret, i)) in events.iter().enumerate() {
            let at = k + 1;
            e.op[at] = i;
            e.is_call[at] = !is_ret;
            match is_ret {
                false => call_of[i] = at,
                true => e.matching[call_of[i]] = at,
            }
        }
        e
    }
    fn first(&self) -> usize {
        self.next[0]
    }
    fn is_tail(&self, at: usize) -> bool {
        at == self.op.len() - 1
    }
    fn unlink(&mut self, at: usize) {
        let (p, n) = (self.prev[at], self.next[at]);
        self.next[p] = n;
        self.prev[n] = p;
    }
    fn relink(&mut self, at: usize) {
        let (p, n) = (self.prev[at], self.next[at]);
        self.next[p] = at;
        self.prev[n] = at;
    }
    /// Take a call and its return out of the list.
    fn lift(&mut self, call: usize) {
        self.unlink(call);
        if self.matching[call] != NONE {
            self.unlink(self.matching[call]);
        }
    }
    /// Undo the `lift` of `call`: the last lift not yet undone.
    fn unlift(&mut self, call: usize) {
        if self.matching[call] != NONE {
            self.relink(self.matching[call]);
        }
        self.relink(call);
    }
}

/// What trying a call came to.
enum Try {
    Placed,
    /// Not here: the model refuses it, or there is nothing to gain.
    Skipped,
    /// A read-only operation whose placement was explored before: since it could go
    /// first (see `try_place`), nothing else can work here either.
    Doomed,
}

/// A placed call, the state before it, and whether it was read-only.
struct Placed<S> {
    call: usize,
    before: S,
    read_only: bool,
}

/// The search's whole state, so that its loop reads as the algorithm.
struct Search<'a, M: Model> {
    ops: &'a [Operation<M::Input, M::Output>],
    list: Entries,
    state: M::State,
    placed: Bits,
    stack: Vec<Placed<M::State>>,
    cache: HashSet<(Bits, M::State)>,
    /// Operations that returned and are not placed yet: the search is done at zero.
    unplaced: usize,
    /// The longest prefix met, the operation that blocked it and the state it left.
    best: Option<(Vec<usize>, usize, M::State)>,
}

impl<'a, M: Model> Search<'a, M> {
    fn new(ops: &'a [Operation<M::Input, M::Output>]) -> Self {
        Search {
            ops,
            list: Entries::new(ops),
            state: M::init(),
            placed: Bits::new(ops.len()),
            stack: Vec::new(),
            cache: HashSet::new(),
            unplaced: ops.iter().filter(|op| !op.is_pending()).count(),
            best: None,
        }
    }

    fn run(mut self, budget: u64) -> CheckResult {
        let mut at = self.list.first();
        let mut steps = 0;
        // Every entry before `at` is a call that could not be placed now, so while an
        // operation that returned is unplaced, its return lies ahead: `at` never reaches
        // the tail before `unplaced` reaches zero.
        while self.unplaced > 0 && !self.list.is_tail(at) {
            steps += 1;
            if steps > budget {
                return CheckResult::Unknown { steps: budget };
            }
            let outcome = match self.list.is_call[at] {
                true => self.try_place(at),
                false => {
                    self.remember(at);
                    Try::Doomed
                }
            };
            at = match outcome {
                Try::Placed => self.list.first(),
                Try::Skipped => self.list.next[at],
                Try::Doomed => match self.backtrack() {
                    Some(next) => next,
                    None => return CheckResult::Illegal(self.illegal()),
                },
            };
        }
        CheckResult::Ok
    }

    /// Place the call at `at` next if the model accepts it and the resulting
    /// (placed set, state) is new.
    fn try_place(&mut self, at: usize) -> Try {
        let i = self.list.op[at];
        let op = &self.ops[i];
        let Some(next) = M::step(&self.state, &op.input, &op.output) else { return Try::Skipped };
        // An operation that may never have happened and changes nothing here gains
        // nothing from being placed here: later, or never, does as well.
        if op.is_pending() && next == self.state {
            return Try::Skipped;
        }
        // A read-only operation that can go now may as well go first: any order that
        // places it later works with it moved here, as it changes no state and leaves
        // every other operation as free as before. So it is the only choice to try here.
        let read_only = !op.is_pending() && M::is_read_only(&op.input, &op.output);
        self.placed.flip(i);
        if !self.cache.insert((self.placed.clone(), next.clone())) {
            self.placed.flip(i);
            return if read_only { Try::Doomed } else { Try::Skipped };
        }
        self.stack.push(Placed { call: at, before: std::mem::replace(&mut self.state, next), read_only });
        self.unplaced -= usize::from(!op.is_pending());
        self.list.lift(at);
        Try::Placed
    }

    /// At the return entry `at`, before backtracking: keep the longest prefix met.
    fn remember(&mut self, at: usize) {
        if self.best.as_ref().is_none_or(|(prefix, _, _)| self.stack.len() > prefix.len()) {
            let prefix = self.stack.iter().map(|placed| self.list.op[placed.call]).collect();
            self.best = Some((prefix, self.list.op[at], self.state.clone()));
        }
    }

    /// Undo the last choice (and the read-only placements that were no choice) and
    /// return the entry to try after it, or `None` when nothing is left to undo.
    fn backtrack(&mut self) -> Option<usize> {
        loop {
            let Placed { call, before, read_only } = self.stack.pop()?;
            let i = self.list.op[call];
            self.state = before;
            self.placed.flip(i);
            self.unplaced += usize::from(!self.ops[i].is_pending());
            self.list.unlift(call);
            if !read_only {
                return Some(self.list.next[call]);
            }
        }
    }

    fn illegal(self) -> Illegal {
        let (prefix, blocked, state) = self.best.expect("a return entry was met");
        Illegal { prefix, blocked, state: format!("{state:?}") }
    }
}

impl fmt::Display for CheckResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckResult::Ok => write!(f, "linearizable"),
            CheckResult::Illegal(illegal) => write!(f, "not linearizable: {}", illegal.explain(|i| format!("#{i}"))),
            CheckResult::Unknown { steps } => write!(f, "undecided after {steps} steps"),
        }
    }
}
