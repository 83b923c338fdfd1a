package io.kloop.inference.api;

import io.kloop.inference.serving.InvalidInputException;
import io.kloop.inference.serving.UnknownModelException;
import io.kloop.service.web.ClientText;

/**
 * The limits of the identifiers a client names in a path or sends: model names, versions and request ids
 * (the {@code X-Request-Id} header and the Open Inference Protocol's {@code id}, echoed in the answer and
 * logged with every prediction). Too long, or with a character no identifier has (a control character, an
 * invisible format character, a line or paragraph separator, an unpaired surrogate), is a 400 that says so. The
 * checks are a length comparison and one pass over a short string, once per request.
 */
final class Identifiers {

  /** Longest model name in a path: training's names have at most 63 characters. */
  static final int MAX_MODEL_NAME = 128;
  /** Longest version in a path: a version is a positive int, at most 10 digits. */
  static final int MAX_VERSION = 10;
  /** Longest request id: it is repeated in every prediction's log event, so a long one would multiply what the log writes. */
  static final int MAX_REQUEST_ID = 128;
  /** Longest input name an infer request may give; the model's own names are shorter. */
  static final int MAX_INPUT_NAME = 256;

  private Identifiers() {}

  /** The model name of a path, checked. */
  static String modelName(String name) {
    check("model name", name, MAX_MODEL_NAME);
    return name;
  }

  /**
   * The version segment of a path as a number; null when the path has none. Too long or with a control
   * character is a 400; anything else that is not a whole number names no version of the model (404).
   */
  static Integer version(String model, String version) {
    if (version == null) {
      return null;
    }
    check("version", version, MAX_VERSION);
    if (version.isEmpty()) {
      throw new UnknownModelException("model " + model + " has no version ''");
    }
    long value = 0;
    for (int i = 0; i < version.length(); i++) {
      char c = version.charAt(i);
      if (c < '0' || c > '9') {
        throw new UnknownModelException("model " + model + " has no version '" + version + "'");
      }
      value = value * 10 + (c - '0');
    }
    if (value > Integer.MAX_VALUE) {
      throw new UnknownModelException("model " + model + " has no version '" + version + "'");
    }
    return (int) value;
  }

  /**
   * A request id as sent (header or body), checked; null when none was sent or it is blank, so that one is
   * made up.
   */
  static String requestId(String id, String where) {
    if (id == null || id.isBlank()) {
      return null;
    }
    check(where, id, MAX_REQUEST_ID);
    return id;
  }

  /** Refuses (400) a value longer than {@code max} characters or with a character no identifier has. */
  static void check(String what, String value, int max) {
    if (value.length() > max) {
      throw new InvalidInputException(what + ": at most " + max + " characters, got " + value.length());
    }
    int unsafe = firstUnsafe(value);
    if (unsafe >= 0) {
      throw new InvalidInputException(what + ": character " + (unsafe + 1) + " is " + String.format("U+%04X", (int) value.charAt(unsafe))
          + "; an identifier has no control or invisible characters, line or paragraph separators or unpaired surrogates");
    }
  }

  /**
   * Where the first character is that no identifier may have, or -1: the platform's rule ({@link ClientText}), so
   * that a request id, and the default prediction ids made of it, are ids every service takes: no control
   * character (C0, DEL, C1), invisible format character (bidirectional controls, zero-width characters, the byte
   * order mark), line or paragraph separator, or surrogate that is not part of a pair.
   */
  static int firstUnsafe(String text) {
    return ClientText.firstForbidden(text, false);
  }
}
