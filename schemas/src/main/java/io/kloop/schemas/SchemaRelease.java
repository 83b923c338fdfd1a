package io.kloop.schemas;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Freezes every changed event schema as its next released version.
 *
 * <p>Run from the repository root with {@code ./mvnw -q -pl schemas compile exec:java}. For each event
 * whose current schema differs from its latest frozen version, the tool checks that the current schema
 * reads every frozen version ({@link SchemaEvolution}) and, if so, writes it as
 * {@code src/main/resources/io/kloop/schemas/frozen/<Event>/v<N+1>.avsc}. An incompatible change is
 * refused with the reasons and nothing is written.
 */
public final class SchemaRelease {

  private SchemaRelease() {}

  public static void main(String[] args) throws IOException {
    Path resources = Path.of(args.length > 0 ? args[0] : "src/main/resources");
    List<String> refused = new ArrayList<>();
    int released = 0;
    for (Class<? extends SpecificRecord> type : EventCatalog.EVENT_TYPES) {
      Schema current = EventCatalog.currentSchema(type);
      List<Schema> frozen = EventCatalog.frozenVersions(type);
      if (!frozen.isEmpty()
          && EventCatalog.fingerprint(frozen.get(frozen.size() - 1)) == EventCatalog.fingerprint(current)) {
        continue;
      }
      List<String> problems = SchemaEvolution.problemsReading(current, frozen);
      if (!problems.isEmpty()) {
        refused.addAll(problems);
        continue;
      }
      Path target = resources.resolve(EventCatalog.frozenPath(type, frozen.size() + 1));
      Files.createDirectories(target.getParent());
      Files.writeString(target, current.toString(true) + "\n", StandardCharsets.UTF_8);
      System.out.println("released " + type.getSimpleName() + " v" + (frozen.size() + 1) + " -> " + target);
      released++;
    }
    if (!refused.isEmpty()) {
      refused.forEach(p -> System.err.println("REFUSED: " + p));
      System.err.println("Incompatible changes are not released. Add defaults to new fields, or publish a new event type.");
      System.exit(1);
    }
    System.out.println(released == 0 ? "every event schema is already released" : released + " schema(s) released");
  }
}
