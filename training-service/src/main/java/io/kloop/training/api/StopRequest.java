package io.kloop.training.api;

import io.kloop.training.spec.Texts;
import java.util.ArrayList;
import java.util.List;

/**
 * Body of {@code POST /v1/runs/{runId}/cancel} and {@code POST /v1/models/{name}/retire}; both fields are optional.
 *
 * @param requestedBy who asks (at most {@value Texts#MAX_IDENTIFIER} characters, no control characters)
 * @param reason why (at most {@value Texts#MAX_FREE_TEXT} characters; tabs and line breaks allowed, other control characters not)
 */
public record StopRequest(String requestedBy, String reason) {

  /** What is wrong with the request; empty when nothing is. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    Texts.identifier("requestedBy", requestedBy, Texts.MAX_IDENTIFIER, problems);
    Texts.freeText("reason", reason, Texts.MAX_FREE_TEXT, problems);
    return problems;
  }

  /** Who asked, as the run's failure and the retirement record it: the name given, or {@code http}. */
  String who() {
    return requestedBy == null ? "http" : requestedBy.strip();
  }

  /** {@code <verb> by <who> over HTTP[: <reason>]}, e.g. {@code cancelled by alice over HTTP: wrong window}. */
  String describe(String verb) {
    return verb + " by " + who() + " over HTTP" + (reason == null || reason.isBlank() ? "" : ": " + reason.strip());
  }
}
