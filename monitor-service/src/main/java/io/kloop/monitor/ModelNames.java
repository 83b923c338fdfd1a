package io.kloop.monitor;

import io.kloop.service.web.ClientText;
import java.util.Optional;

/**
 * The platform's rule for model names, as training declares them: 1 to {@value #MAX_LENGTH} lower-case
 * letters, digits, '.', '_' or '-', starting with a letter or digit. The monitor answers a path naming no
 * possible model with 400, and keeps no approval or prediction under such a name (they go to the dead-letter
 * topic or are skipped), so no identifier it holds, logs or stores is longer or stranger than this.
 */
public final class ModelNames {

  public static final int MAX_LENGTH = ClientText.MAX_MODEL_NAME;

  private ModelNames() {}

  /** What is wrong with the name, or nothing (the platform's rule, {@link ClientText#modelNameProblem}). */
  public static Optional<String> problem(String name) {
    return ClientText.modelNameProblem(name);
  }
}
