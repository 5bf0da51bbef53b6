//! Two-phase commit (Gray and Lamport's TLA+ `TwoPhase`) as a Stateright model, the same
//! model as bench/models/two_phase.qnt. Usage: `stateright-2pc RM_COUNT`; prints
//! `distinct=N seconds=S` after a single-threaded breadth-first search.

use stateright::{Checker, Model, Property};
use std::collections::BTreeSet;
use std::time::Instant;

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, PartialOrd, Ord)]
enum Rm {
    Working,
    Prepared,
    Committed,
    Aborted,
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, PartialOrd, Ord)]
enum Tm {
    Init,
    Committed,
    Aborted,
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, PartialOrd, Ord)]
enum Msg {
    Prepared(usize),
    Commit,
    Abort,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct State {
    rm: Vec<Rm>,
    tm: Tm,
    tm_prepared: Vec<bool>,
    msgs: BTreeSet<Msg>,
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
enum Action {
    TmRcvPrepared(usize),
    TmCommit,
    TmAbort,
    RmPrepare(usize),
    RmChooseToAbort(usize),
    RmRcvCommitMsg(usize),
    RmRcvAbortMsg(usize),
}

struct TwoPhase {
    rms: usize,
}

impl Model for TwoPhase {
    type State = State;
    type Action = Action;

    fn init_states(&self) -> Vec<State> {
        vec![State { rm: vec![Rm::Working; self.rms], tm: Tm::Init, tm_prepared: vec![false; self.rms], msgs: BTreeSet::new() }]
    }

    fn actions(&self, s: &State, actions: &mut Vec<Action>) {
        if s.tm == Tm::Init && s.tm_prepared.iter().all(|p| *p) {
            actions.push(Action::TmCommit);
        }
        if s.tm == Tm::Init {
            actions.push(Action::TmAbort);
        }
        for rm in 0..self.rms {
            if s.tm == Tm::Init && s.msgs.contains(&Msg::Prepared(rm)) {
                actions.push(Action::TmRcvPrepared(rm));
            }
            if s.rm[rm] == Rm::Working {
                actions.push(Action::RmPrepare(rm));
                actions.push(Action::RmChooseToAbort(rm));
            }
            if s.msgs.contains(&Msg::Commit) {
                actions.push(Action::RmRcvCommitMsg(rm));
            }
            if s.msgs.contains(&Msg::Abort) {
                actions.push(Action::RmRcvAbortMsg(rm));
            }
        }
    }

    fn next_state(&self, s: &State, action: Action) -> Option<State> {
        let mut s = s.clone();
        match action {
            Action::TmRcvPrepared(rm) => s.tm_prepared[rm] = true,
            Action::TmCommit => {
                s.tm = Tm::Committed;
                s.msgs.insert(Msg::Commit);
            }
            Action::TmAbort => {
                s.tm = Tm::Aborted;
                s.msgs.insert(Msg::Abort);
            }
            Action::RmPrepare(rm) => {
                s.rm[rm] = Rm::Prepared;
                s.msgs.insert(Msg::Prepared(rm));
            }
            Action::RmChooseToAbort(rm) => s.rm[rm] = Rm::Aborted,
            Action::RmRcvCommitMsg(rm) => s.rm[rm] = Rm::Committed,
            Action::RmRcvAbortMsg(rm) => s.rm[rm] = Rm::Aborted,
        }
        Some(s)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![Property::always("consistent", |_, s: &State| {
            !(s.rm.contains(&Rm::Aborted) && s.rm.contains(&Rm::Committed))
        })]
    }
}

fn main() {
    let rms: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(5);
    let started = Instant::now();
    let checker = TwoPhase { rms }.checker().threads(1).spawn_bfs().join();
    let seconds = started.elapsed().as_secs_f64();
    println!("distinct={} seconds={seconds:.6}", checker.unique_state_count());
}
