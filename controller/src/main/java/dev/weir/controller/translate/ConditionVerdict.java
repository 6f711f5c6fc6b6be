package dev.weir.controller.translate;

import dev.weir.crds.conditions.ConditionType;
import dev.weir.crds.conditions.Reason;

/** What translation concluded for one condition type of one object. */
public record ConditionVerdict(ConditionType type, boolean status, Reason reason, String message) {}
