package io.kloop.schemas;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * The platform's evolution rule: a new schema must read everything written with every released version
 * (Avro reader/writer resolution), so consumers are upgraded before producers and old data stays readable.
 */
public final class SchemaEvolution {

  private SchemaEvolution() {}

  /**
   * Problems that stop {@code candidate} from reading data written with each of {@code released}; empty
   * when the candidate may be released.
   */
  public static List<String> problemsReading(Schema candidate, List<Schema> released) {
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < released.size(); i++) {
      SchemaCompatibility.SchemaPairCompatibility result =
          SchemaCompatibility.checkReaderWriterCompatibility(candidate, released.get(i));
      if (result.getType() != SchemaCompatibilityType.COMPATIBLE) {
        for (Incompatibility incompatibility : result.getResult().getIncompatibilities()) {
          problems.add(
              candidate.getName() + " cannot read v" + (i + 1) + " at " + incompatibility.getLocation() + ": "
                  + incompatibility.getType() + " (" + incompatibility.getMessage() + ")");
        }
      }
    }
    return problems;
  }
}
