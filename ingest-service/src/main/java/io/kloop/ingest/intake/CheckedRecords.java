package io.kloop.ingest.intake;

import io.kloop.ingest.intake.IncomingRecords.Incoming;
import io.kloop.ingest.spec.DatasetSpec;
import io.kloop.ingest.validation.RecordValidator;
import io.kloop.ingest.validation.TextRules;
import io.kloop.ingest.validation.Violation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The records of one request checked against the dataset's spec, in the order of the body: each valid (and
 * then stored) or refused with its violations. A record id must be text or a number, and unique within the
 * request.
 *
 * <p>At most {@value #MAX_REFUSED_STORED} refused records are answered in full, so a request is stored only
 * up to its next refused record: {@link #storeUntil()} is the index of the {@value #MAX_REFUSED_STORED}+1st
 * refused record (or the number of records), and nothing from there on is stored. Every record before it is
 * then either stored or answered in full, so the answer tells exactly which records to send again.
 */
final class CheckedRecords {

  /** Refused records answered in full; the request is stored only up to the next one. */
  static final int MAX_REFUSED_STORED = 100;

  /** One record of the body: valid (with its normalised values) or refused. */
  record Checked(int index, String recordId, RecordValidator.Result valid, List<Violation> violations) {

    boolean isValid() {
      return valid != null;
    }
  }

  private final List<Checked> records;
  private final int storeUntil;

  private CheckedRecords(List<Checked> records) {
    this.records = records;
    int refused = 0;
    int until = records.size();
    for (Checked record : records) {
      if (!record.isValid() && ++refused > MAX_REFUSED_STORED) {
        until = record.index();
        break;
      }
    }
    this.storeUntil = until;
  }

  static CheckedRecords check(DatasetSpec spec, List<Incoming> incoming) {
    List<Checked> checked = new ArrayList<>(incoming.size());
    Map<String, Integer> seenInRequest = new HashMap<>();
    for (Incoming record : incoming) {
      if (record.unreadable() != null) {
        checked.add(new Checked(record.index(), null, null,
            List.of(new Violation(null, Violation.UNREADABLE, TextRules.echo(record.unreadable(), 300)))));
        continue;
      }
      Map<String, Object> features = new LinkedHashMap<>(record.fields());
      Object id = features.remove(spec.idField());
      Object label = features.remove(spec.label().getName());
      if (id != null && !(id instanceof CharSequence) && !(id instanceof Number)) {
        checked.add(new Checked(record.index(), null, null, List.of(new Violation(spec.idField(), Violation.BAD_ID,
            "record id must be text or a number, got " + (id instanceof Map<?, ?> ? "an object" : id instanceof List<?> ? "a list" : id)))));
        continue;
      }
      String recordId = id == null ? null : id.toString().trim();
      RecordValidator.Result result = RecordValidator.validate(spec, recordId, features, label);
      List<Violation> violations = new ArrayList<>(result.violations());
      if (recordId != null && !recordId.isBlank() && result.violations().stream().noneMatch(v -> v.kind().equals(Violation.BAD_ID))) {
        Integer first = seenInRequest.putIfAbsent(recordId, record.index());
        if (first != null) {
          violations.add(new Violation(spec.idField(), Violation.DUPLICATE_ID,
              "duplicate record id " + TextRules.echo(recordId) + " (also record " + first + " of this request)"));
        }
      }
      checked.add(violations.isEmpty() ? new Checked(record.index(), recordId, result, List.of())
          : new Checked(record.index(), recordId, null, List.copyOf(violations)));
    }
    return new CheckedRecords(checked);
  }

  List<Checked> records() {
    return records;
  }

  /** The index from which no record is stored (see the class comment). */
  int storeUntil() {
    return storeUntil;
  }
}
