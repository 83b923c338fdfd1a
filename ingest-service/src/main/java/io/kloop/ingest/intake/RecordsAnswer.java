package io.kloop.ingest.intake;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.kloop.ingest.intake.CheckedRecords.Checked;
import io.kloop.ingest.validation.TextRules;
import io.kloop.ingest.validation.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The answer to {@code POST /v1/datasets/{name}/records}, of a bounded size whatever the request: the ids of
 * the first {@value #MAX_LISTED} accepted records, every refused record that was stored up to (at most
 * {@value CheckedRecords#MAX_REFUSED_STORED}, each with its first {@value #MAX_VIOLATIONS} violations),
 * and for the records from {@code unprocessedFrom} on, which were not stored, their number and how many of
 * them are invalid, per kind of violation.
 *
 * <p>{@code error} says in words what went wrong when anything did (absent when every record was accepted).
 *
 * <p>What to send again: every record before {@code unprocessedFrom} (all of them when it is absent) was
 * accepted unless it is listed in {@code refused}; none from {@code unprocessedFrom} on was.
 */
final class RecordsAnswer {

  /** Accepted ids listed. */
  static final int MAX_LISTED = 100;

  /** Violations of one refused record listed in full; the rest are counted. */
  static final int MAX_VIOLATIONS = 3;

  /** Longest reason repeated in an answer, in characters. */
  static final int MAX_REASON_CHARS = 300;

  private RecordsAnswer() {}

  /** A refused record: where it is in the body, its id (as far as it can be repeated), why. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Refused(int index, String recordId, List<Violation> violations, Integer moreViolations) {}

  /** The answer. Optional parts are absent (not null) when they do not apply. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Outcome(String error, String dataset, int specVersion, int received, int acceptedCount, List<String> accepted, int refusedCount,
      List<Refused> refused, Integer unprocessedFrom, Integer unprocessed, Map<String, Integer> moreRefused, String unprocessedReason) {}

  /**
   * The answer for records {@code checked}, of which those valid ones before {@code processedUntil} were
   * stored. {@code why} says why nothing from {@code processedUntil} on was (null when all were processed).
   */
  static Outcome of(String dataset, int specVersion, CheckedRecords checked, int processedUntil, String why) {
    List<String> accepted = new ArrayList<>();
    int acceptedCount = 0;
    List<Refused> refused = new ArrayList<>();
    Map<String, Integer> moreRefused = new TreeMap<>();
    int unprocessed = 0;
    for (Checked record : checked.records()) {
      if (record.index() >= processedUntil) {
        unprocessed++;
        if (!record.isValid()) {
          new TreeSet<>(record.violations().stream().map(Violation::kind).toList()).forEach(kind -> moreRefused.merge(kind, 1, Integer::sum));
        }
      } else if (record.isValid()) {
        acceptedCount++;
        if (accepted.size() < MAX_LISTED) {
          accepted.add(record.recordId());
        }
      } else {
        refused.add(refused(record));
      }
    }
    boolean all = unprocessed == 0;
    String error = refused.isEmpty() && all ? null : (refused.size() + " of " + checked.records().size() + " records refused"
        + (all ? "" : "; records from " + processedUntil + " on not stored") + ": see refused" + (all ? "" : " and unprocessedReason"));
    return new Outcome(error, dataset, specVersion, checked.records().size(), acceptedCount, accepted, refused.size(), refused,
        all ? null : processedUntil, all ? null : unprocessed, moreRefused.isEmpty() ? null : moreRefused, all ? null : why);
  }

  private static Refused refused(Checked record) {
    List<Violation> listed = record.violations().stream().limit(MAX_VIOLATIONS)
        .map(v -> new Violation(v.field() == null ? null : TextRules.echo(v.field(), TextRules.MAX_NAME_CHARS), v.kind(),
            TextRules.echo(v.reason(), MAX_REASON_CHARS)))
        .toList();
    int more = record.violations().size() - listed.size();
    return new Refused(record.index(), TextRules.echo(record.recordId(), TextRules.MAX_RECORD_ID_CHARS), listed, more > 0 ? more : null);
  }
}
