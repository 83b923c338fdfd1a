package io.kloop.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The shell commands the repository's Markdown files document: every line of their {@code sh} blocks (a
 * line ending in {@code \} joined with the next, comments dropped) and every inline code span that starts
 * with {@code ./mvnw} or {@code ./kloop}.
 */
public final class DocumentedCommands {

  /** A command and where it is documented. */
  public record Command(Path file, int line, String text) {

    @Override
    public String toString() {
      return root().relativize(file) + ":" + line + ": " + text;
    }

    /** The command's words as the shell splits them (quotes removed). */
    public List<String> words() {
      List<String> words = new ArrayList<>();
      Matcher word = WORD.matcher(text);
      while (word.find()) {
        words.add(word.group(1) != null ? word.group(1) : word.group(2) != null ? word.group(2) : word.group(3));
      }
      return words;
    }
  }

  private static final Pattern BLOCK = Pattern.compile("```(?:sh|bash|shell)\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern INLINE = Pattern.compile("`((?:\\./mvnw|\\./kloop) [^`]+)`");
  private static final Pattern WORD = Pattern.compile("'([^']*)'|\"([^\"]*)\"|(\\S+)");

  private DocumentedCommands() {}

  /**
   * The repository's root, from a module's directory (where Maven runs tests): the directory above, which holds
   * the root pom and {@code ./kloop}.
   */
  public static Path root() {
    Path root = Path.of("..").toAbsolutePath().normalize();
    if (!Files.isRegularFile(root.resolve("pom.xml")) || !Files.isRegularFile(root.resolve("kloop"))) {
      throw new IllegalStateException("not the repository root: " + root + " (tests run in a module's directory)");
    }
    return root;
  }

  /** Every documented command. */
  public static List<Command> all() {
    List<Command> commands = new ArrayList<>();
    for (Path file : markdownFiles()) {
      String text;
      try {
        text = Files.readString(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Matcher block = BLOCK.matcher(text);
      while (block.find()) {
        int line = lineOf(text, block.start(1));
        StringBuilder joined = new StringBuilder();
        int start = line;
        for (String raw : block.group(1).split("\n", -1)) {
          if (joined.length() == 0) {
            start = line;
          }
          String code = withoutComment(raw).strip();
          if (code.endsWith("\\")) {
            joined.append(code, 0, code.length() - 1).append(' ');
            while (joined.length() > 1 && joined.charAt(joined.length() - 2) == ' ') {
              joined.deleteCharAt(joined.length() - 1);
            }
          } else {
            joined.append(code);
            if (!joined.toString().isBlank()) {
              commands.add(new Command(file, start, joined.toString().strip()));
            }
            joined.setLength(0);
          }
          line++;
        }
      }
      Matcher inline = INLINE.matcher(text);
      while (inline.find()) {
        commands.add(new Command(file, lineOf(text, inline.start()), inline.group(1).strip()));
      }
    }
    return commands;
  }

  /** The line without a trailing {@code # comment} (a {@code #} outside quotes, after a space or at the start). */
  public static String withoutComment(String line) {
    boolean single = false;
    boolean dbl = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\'' && !dbl) {
        single = !single;
      } else if (c == '"' && !single) {
        dbl = !dbl;
      } else if (c == '#' && !single && !dbl && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  private static int lineOf(String text, int offset) {
    int line = 1;
    for (int i = 0; i < offset; i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  private static List<Path> markdownFiles() {
    Path root = root();
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(f -> f.toString().endsWith(".md"))
          .filter(f -> {
            String relative = root.relativize(f).toString();
            return !relative.startsWith(".") && !relative.contains("/target/") && !relative.startsWith("target/")
                && !relative.contains("node_modules");
          })
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
