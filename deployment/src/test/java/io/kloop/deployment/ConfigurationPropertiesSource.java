package io.kloop.deployment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The property names a service's {@code @ConfigurationProperties} record binds, read from its Java source
 * (this module depends on no service, so it cannot load the classes). Each record component is a property
 * in kebab case under the record's prefix; a component whose type is another record of the same file is a
 * group of properties; a {@code Map<String, V>} component is a map whose keys stand as {@code *}.
 *
 * <p>It understands what the services' properties records are written like (records, annotations such as
 * {@code @DefaultValue("...")}, generic types, nested records) and fails loudly on anything else.
 */
final class ConfigurationPropertiesSource {

  private static final Pattern ANNOTATION =
      Pattern.compile("@ConfigurationProperties\\(\\s*(?:(?:value|prefix)\\s*=\\s*)?\"([^\"]+)\"\\s*\\)");
  private static final Pattern RECORD = Pattern.compile("\\brecord\\s+(\\w+)\\s*(?:<[^>]*>)?\\s*\\(");

  private ConfigurationPropertiesSource() {}

  /** The properties of the one {@code @ConfigurationProperties} record under a source directory, if any. */
  static Optional<Set<String>> properties(Path sourceRoot) {
    List<Path> candidates;
    try (Stream<Path> files = Files.walk(sourceRoot)) {
      candidates = files.filter(f -> f.toString().endsWith(".java"))
          .filter(f -> RepositoryFiles.text(f).contains("@ConfigurationProperties("))
          .filter(f -> ANNOTATION.matcher(withoutComments(RepositoryFiles.text(f))).find())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (candidates.size() > 1) {
      throw new IllegalStateException("more than one @ConfigurationProperties class under " + sourceRoot + ": " + candidates);
    }
    return candidates.stream().findFirst().map(file -> properties(RepositoryFiles.text(file)));
  }

  /** The properties of the {@code @ConfigurationProperties} record in one Java source. */
  static Set<String> properties(String javaSource) {
    String code = withoutComments(javaSource);
    Matcher annotation = ANNOTATION.matcher(code);
    if (!annotation.find()) {
      throw new IllegalArgumentException("no @ConfigurationProperties(\"prefix\") in the source");
    }
    Map<String, List<String[]>> records = records(code);
    Matcher root = RECORD.matcher(code);
    if (!root.find(annotation.end())) {
      throw new IllegalArgumentException("@ConfigurationProperties is not on a record");
    }
    Set<String> properties = new LinkedHashSet<>();
    collect(annotation.group(1), root.group(1), records, properties, 0);
    return properties;
  }

  private static void collect(String prefix, String record, Map<String, List<String[]>> records, Set<String> into, int depth) {
    if (depth > 10) {
      throw new IllegalStateException("records nest too deep at " + prefix);
    }
    for (String[] component : records.get(record)) {
      String type = component[0];
      String name = prefix + "." + kebab(component[1]);
      String bare = type.replaceAll("<.*", "").trim();
      if (records.containsKey(bare)) {
        collect(name, bare, records, into, depth + 1);
      } else if (bare.equals("Map") || bare.endsWith(".Map")) {
        String valueType = typeArguments(type).get(1).replaceAll("<.*", "").trim();
        if (records.containsKey(valueType)) {
          collect(name + ".*", valueType, records, into, depth + 1);
        } else {
          into.add(name + ".*");
        }
      } else {
        into.add(name);
      }
    }
  }

  /** Every record of the source: its components as {type, name}. */
  private static Map<String, List<String[]>> records(String code) {
    Map<String, List<String[]>> records = new LinkedHashMap<>();
    Matcher matcher = RECORD.matcher(code);
    while (matcher.find()) {
      int open = matcher.end() - 1;
      String parameters = code.substring(open + 1, closing(code, open));
      List<String[]> components = new ArrayList<>();
      for (String parameter : splitTopLevel(parameters, ',')) {
        String declaration = withoutAnnotations(parameter).trim();
        if (declaration.isEmpty()) {
          continue;
        }
        Matcher last = Pattern.compile("^(.*\\S)\\s+(\\w+)$", Pattern.DOTALL).matcher(declaration);
        if (!last.matches()) {
          throw new IllegalArgumentException("cannot read record component '" + parameter.trim() + "' of " + matcher.group(1));
        }
        components.add(new String[] {last.group(1).replaceAll("\\s+", " "), last.group(2)});
      }
      records.put(matcher.group(1), components);
    }
    return records;
  }

  /** {@code artifactRoot} → {@code artifact-root}, {@code pValue} → {@code p-value}. */
  static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  private static List<String> typeArguments(String type) {
    int open = type.indexOf('<');
    return splitTopLevel(type.substring(open + 1, type.lastIndexOf('>')), ',').stream().map(String::trim).toList();
  }

  private static String withoutAnnotations(String parameter) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < parameter.length()) {
      char c = parameter.charAt(i);
      if (c == '@') {
        int j = i + 1;
        while (j < parameter.length() && (Character.isJavaIdentifierPart(parameter.charAt(j)) || parameter.charAt(j) == '.')) {
          j++;
        }
        while (j < parameter.length() && Character.isWhitespace(parameter.charAt(j))) {
          j++;
        }
        i = j < parameter.length() && parameter.charAt(j) == '(' ? closing(parameter, j) + 1 : j;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  /** The index of the bracket closing the one at {@code open}, skipping string and char literals. */
  private static int closing(String text, int open) {
    int depth = 0;
    for (int i = open; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\'') {
        i = endOfLiteral(text, i);
      } else if (c == '(' || c == '{' || c == '[') {
        depth++;
      } else if (c == ')' || c == '}' || c == ']') {
        depth--;
        if (depth == 0) {
          return i;
        }
      }
    }
    throw new IllegalArgumentException("unbalanced brackets from offset " + open);
  }

  private static List<String> splitTopLevel(String text, char separator) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\'') {
        i = endOfLiteral(text, i);
      } else if (c == '(' || c == '{' || c == '[' || c == '<') {
        depth++;
      } else if (c == ')' || c == '}' || c == ']' || c == '>') {
        depth--;
      } else if (c == separator && depth == 0) {
        parts.add(text.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(text.substring(start));
    return parts;
  }

  private static int endOfLiteral(String text, int start) {
    char quote = text.charAt(start);
    for (int i = start + 1; i < text.length(); i++) {
      if (text.charAt(i) == '\\') {
        i++;
      } else if (text.charAt(i) == quote) {
        return i;
      }
    }
    throw new IllegalArgumentException("unterminated literal at offset " + start);
  }

  /** The source without comments (Javadoc mentions parentheses and annotations), string literals kept. */
  static String withoutComments(String source) {
    StringBuilder out = new StringBuilder(source.length());
    int i = 0;
    while (i < source.length()) {
      char c = source.charAt(i);
      if (source.startsWith("\"\"\"", i)) {
        int end = source.indexOf("\"\"\"", i + 3);
        end = end < 0 ? source.length() : end + 3;
        out.append(source, i, end);
        i = end;
      } else if (c == '"' || c == '\'') {
        int end = endOfLiteral(source, i);
        out.append(source, i, end + 1);
        i = end + 1;
      } else if (source.startsWith("//", i)) {
        int end = source.indexOf('\n', i);
        i = end < 0 ? source.length() : end;
      } else if (source.startsWith("/*", i)) {
        int end = source.indexOf("*/", i + 2);
        i = end < 0 ? source.length() : end + 2;
        out.append(' ');
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }
}
