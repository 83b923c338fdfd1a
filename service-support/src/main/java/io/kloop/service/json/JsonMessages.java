package io.kloop.service.json;

import java.util.List;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;

/**
 * Jackson's reading errors worded for people, for the HTTP edges' 400s ({@code ApiErrors}) and for rules that read
 * JSON a client sent (an import's metadata) without depending on the web stack.
 */
public final class JsonMessages {

  private static final Pattern QUALIFIED_TYPE = Pattern.compile("\\b(?:[a-z_][\\w]*\\.)+(?:[A-Z][\\w]*\\$)*([A-Z][\\w]*)");

  private JsonMessages() {}

  /**
   * A reading error for people: Jackson's own message (its first line: what was wrong), preceded by where in
   * the body ({@code at features[0].min}) when Jackson knows.
   */
  public static String describe(Throwable cause) {
    if (cause instanceof DatabindException databind && !databind.getPath().isEmpty()) {
      return "at " + path(databind.getPath()) + ": " + simpleTypeNames(firstLine(databind.getOriginalMessage()));
    }
    if (cause instanceof JacksonException jackson) {
      return simpleTypeNames(firstLine(jackson.getOriginalMessage()));
    }
    return firstLine(cause.getMessage());
  }

  /**
   * Jackson names types in full ({@code `java.util.ArrayList<io.kloop...Spec$Feature>`}); the caller needs
   * {@code `ArrayList<Feature>`}.
   */
  public static String simpleTypeNames(String message) {
    return QUALIFIED_TYPE.matcher(message).replaceAll("$1");
  }

  /** The first line of a message (a parser's message can go on with the input it choked on). */
  public static String firstLine(String text) {
    if (text == null) {
      return "(no detail)";
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }

  private static String path(List<JacksonException.Reference> references) {
    StringBuilder path = new StringBuilder();
    for (JacksonException.Reference reference : references) {
      if (reference.getPropertyName() != null) {
        path.append(path.length() == 0 ? "" : ".").append(reference.getPropertyName());
      } else if (reference.getIndex() >= 0) {
        path.append('[').append(reference.getIndex()).append(']');
      }
    }
    return path.length() == 0 ? "the body" : path.toString();
  }
}
