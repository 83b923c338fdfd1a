package io.kloop.service.settings;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.constraints.AssertTrue;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.bind.AbstractBindHandler;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.validation.annotation.Validated;

/**
 * Checks a service's {@link Validated @Validated} settings against their Bean Validation constraints as soon
 * as they are bound, so a wrong setting stops the start-up with one line per broken rule that names the
 * property and the value given: {@code kloop.ingest.batch-max-records must be at least 1, got 0}. Spring
 * Boot would refuse the same settings, but in a report of field errors that names neither the property as
 * it is written nor the rule in the platform's words; this handler runs before Boot's own validation, so
 * the platform's message is the one an operator sees (as the cause of the binding failure).
 *
 * <p>A constraint's message says the rule ({@code must be at least 1}); the value follows it. An
 * {@link AssertTrue} method states a rule across several settings: its message names them, and the line
 * starts with the settings' prefix alone ({@code kloop.streams.failed-thread first-backoff must not be
 * longer than max-backoff}).
 */
public final class SettingsValidation extends AbstractBindHandler {

  private final Validator validator;

  public SettingsValidation(BindHandler parent) {
    this(parent, Validators.SHARED);
  }

  SettingsValidation(BindHandler parent, Validator validator) {
    super(parent);
    this.validator = validator;
  }

  /** A handler for a {@link org.springframework.boot.context.properties.bind.Binder} of its own, as in tests. */
  public static BindHandler handler() {
    return new SettingsValidation(BindHandler.DEFAULT);
  }

  @Override
  public void onFinish(ConfigurationPropertyName name, Bindable<?> target, BindContext context, Object result) throws Exception {
    if (context.getDepth() == 0 && result != null && validated(target)) {
      check(name.toString(), result, validator);
    }
    super.onFinish(name, target, context, result);
  }

  /**
   * Checks settings bound under {@code prefix}.
   *
   * @throws IllegalArgumentException naming each broken rule's property and value
   */
  public static void check(String prefix, Object settings) {
    check(prefix, settings, Validators.SHARED);
  }

  private static void check(String prefix, Object settings, Validator validator) {
    Set<ConstraintViolation<Object>> violations = validator.validate(settings);
    if (!violations.isEmpty()) {
      throw new IllegalArgumentException(violations.stream().map(v -> describe(prefix, v)).sorted(Comparator.naturalOrder())
          .collect(Collectors.joining("; ")));
    }
  }

  /** {@code kloop.monitor.window.size must be at least 2, got 1}. */
  static String describe(String prefix, ConstraintViolation<?> violation) {
    boolean acrossSettings = violation.getConstraintDescriptor().getAnnotation() instanceof AssertTrue;
    StringBuilder line = new StringBuilder(prefix);
    Path.Node last = null;
    for (Path.Node node : violation.getPropertyPath()) {
      last = node;
    }
    for (Path.Node node : violation.getPropertyPath()) {
      if (acrossSettings && node == last) {
        break;
      }
      if (node.isInIterable()) {
        line.append('.').append(node.getKey() != null ? node.getKey() : node.getIndex());
      }
      if (node.getKind() == ElementKind.PROPERTY) {
        line.append('.').append(kebab(node.getName()));
      }
    }
    line.append(' ').append(violation.getMessage());
    return acrossSettings ? line.toString() : line.append(", got ").append(violation.getInvalidValue()).toString();
  }

  /** {@code batchMaxRecords} as it is written in configuration, by Spring Boot's own rule: {@code batch-max-records}. */
  static String kebab(String name) {
    return DataObjectPropertyName.toDashedForm(name);
  }

  private static boolean validated(Bindable<?> target) {
    Class<?> type = target.getType().resolve();
    return target.getAnnotation(Validated.class) != null || (type != null && AnnotatedElementUtils.hasAnnotation(type, Validated.class));
  }

  /** One validator for every service in the JVM (the local platform runs five): building one takes a while. */
  private static final class Validators {
    /** Its factory stays open for as long as the JVM runs: a validator may not be used after its factory closes. */
    static final Validator SHARED = Validation.buildDefaultValidatorFactory().getValidator();
  }
}
