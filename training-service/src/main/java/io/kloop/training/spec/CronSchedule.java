package io.kloop.training.spec;

import io.kloop.service.web.ClientText;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.springframework.scheduling.support.CronExpression;

/**
 * A model spec's schedule: a cron expression of six fields (second, minute, hour, day of month, month, day of week,
 * as Spring's {@link CronExpression} reads them, macros such as {@code @daily} included), in UTC, at whose firing
 * times training asks for a run of the model.
 *
 * <p>Every firing is a training run, so a schedule may fire at most once a minute: its seconds field must name one
 * second (as {@code 0} does). That is checked on the expression's firings, not its text: in every minute a
 * schedule fires, it fires at each second its seconds field names, so it fires at most once a minute exactly when
 * the first minute it fires in holds one firing. A schedule that never fires (the 30th of February) is refused too.
 */
public final class CronSchedule {

  /** The longest schedule text: the longest useful expressions (lists in every field) are far shorter. */
  public static final int MAX_CHARS = 100;
  /** The most firings looked at to find the latest one in an interval (a minute's schedule: 69 days). */
  static final int MAX_STEPS = 100_000;
  /** Where the checks look for a first firing; any instant would do, the fields repeat every 400 years. */
  private static final ZonedDateTime REFERENCE = ZonedDateTime.of(2000, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

  private final String text;
  private final CronExpression expression;

  private CronSchedule(String text, CronExpression expression) {
    this.text = text;
    this.expression = expression;
  }

  /**
   * The schedule {@code text} declares, or empty with the reasons added to {@code problems} when it is not one a spec
   * may have (too long, not a cron expression, never fires, fires more than once a minute).
   */
  public static Optional<CronSchedule> parse(String text, List<String> problems) {
    if (text == null) {
      return Optional.empty();
    }
    if (text.isBlank()) {
      problems.add("schedule must not be blank (leave it out, or null, for no schedule)");
      return Optional.empty();
    }
    if (text.length() > MAX_CHARS) {
      problems.add("schedule must be at most " + MAX_CHARS + " characters (it has " + text.length() + ")");
      return Optional.empty();
    }
    CronExpression expression;
    try {
      expression = CronExpression.parse(text);
    } catch (IllegalArgumentException e) {
      problems.add("schedule '" + Texts.shown(text) + "' is not a cron expression of six fields (second minute hour day-of-month month "
          + "day-of-week, in UTC, e.g. '0 0 3 * * *' for 03:00 every day): " + ClientText.echo(String.valueOf(e.getMessage()), 200));
      return Optional.empty();
    }
    CronSchedule schedule = new CronSchedule(text, expression);
    ZonedDateTime first = expression.next(REFERENCE);
    if (first == null) {
      problems.add("schedule '" + Texts.shown(text) + "' never fires");
      return Optional.empty();
    }
    ZonedDateTime minute = first.truncatedTo(ChronoUnit.MINUTES);
    ZonedDateTime firstInMinute = expression.next(minute.minusNanos(1));
    ZonedDateTime secondInMinute = expression.next(firstInMinute);
    if (secondInMinute != null && secondInMinute.truncatedTo(ChronoUnit.MINUTES).equals(minute)) {
      problems.add("schedule '" + Texts.shown(text) + "' fires more than once a minute (at second " + firstInMinute.getSecond() + " and "
          + secondInMinute.getSecond() + " of a minute); every firing is a training run, so a schedule may fire at most once a minute: "
          + "give its seconds field one value, such as 0");
      return Optional.empty();
    }
    return Optional.of(schedule);
  }

  /** The schedule as declared. */
  public String text() {
    return text;
  }

  /** The first firing strictly after {@code after}, or empty when there is none. */
  public Optional<Instant> next(Instant after) {
    ZonedDateTime next = expression.next(ZonedDateTime.ofInstant(after, ZoneOffset.UTC));
    return Optional.ofNullable(next).map(ZonedDateTime::toInstant);
  }

  /**
   * The latest firing in {@code (after, upTo]}, or empty when there is none: firings missed together (the clock
   * jumped, or the check came late) make one. Looks at {@value #MAX_STEPS} firings at most, and then takes the
   * latest of those.
   */
  public Optional<Instant> latestFiring(Instant after, Instant upTo) {
    Optional<Instant> latest = Optional.empty();
    Instant from = after;
    for (int step = 0; step < MAX_STEPS; step++) {
      Optional<Instant> next = next(from);
      if (next.isEmpty() || next.get().isAfter(upTo)) {
        break;
      }
      latest = next;
      from = next.get();
    }
    return latest;
  }

  @Override
  public String toString() {
    return text;
  }
}
