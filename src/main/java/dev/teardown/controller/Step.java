package dev.teardown.controller;

import dev.teardown.cloud.CloudException;

/**
 * One phase's work: decide from the snapshot, make at most one kind of mutating call, update the
 * status copy.
 */
public interface Step {
  StepResult run(DeletionContext ctx) throws CloudException;
}
