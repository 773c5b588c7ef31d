//! `Registry::check`: every kind runs on a declared queue and no kind is registered twice.

use serenade::engine::Registry;
use serenade::engine::registry::RegistryError;

use crate::context::TestCtx;
use crate::kinds::{Echo, GATED, Gated, MAIN, SLOW, Switch, suite_registry};

#[test]
fn check_refuses_a_kind_on_an_undeclared_queue() {
    let mut registry = Registry::<TestCtx>::default();
    registry.queue(SLOW, 1).job(Echo);
    match registry.check() {
        Err(RegistryError::UnknownQueue { kind, queue }) => {
            assert_eq!((kind, queue), ("echo", MAIN));
        }
        other => panic!("expected UnknownQueue, got {other:?}"),
    }
}

#[test]
fn check_refuses_a_duplicate_kind() {
    let mut registry = Registry::<TestCtx>::default();
    registry.queue(MAIN, 1).job(Echo).job(Echo);
    match registry.check() {
        Err(RegistryError::DuplicateKind { kind }) => assert_eq!(kind, "echo"),
        other => panic!("expected DuplicateKind, got {other:?}"),
    }
}

#[test]
fn a_gate_declares_its_queue_and_the_suite_registry_checks() {
    let mut gated = Registry::<TestCtx>::default();
    gated.gate(GATED, Switch).job(Gated);
    gated.check().unwrap();
    assert_eq!(gated.queues().len(), 1);
    assert_eq!(gated.queues()[0].gates.len(), 1);

    let suite = suite_registry();
    suite.check().unwrap();
    assert_eq!(
        suite.kinds(),
        [
            "chain", "doomed", "echo", "gated", "scripted", "stall", "stubborn"
        ]
    );
    let queues: Vec<(&str, usize)> = suite
        .queues()
        .iter()
        .map(|spec| (spec.name, spec.concurrency))
        .collect();
    assert_eq!(queues, [(MAIN, 4), (SLOW, 2), (GATED, 1)]);
}
