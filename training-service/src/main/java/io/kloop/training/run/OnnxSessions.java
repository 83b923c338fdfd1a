package io.kloop.training.run;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.kloop.model.OnnxClassifier;

/** Opens ONNX Runtime sessions the way the platform runs models: one thread per session. */
final class OnnxSessions {

  static {
    // OnnxClassifier's initialisation points ONNX Runtime at the platform's copy of its native libraries.
    try {
      Class.forName(OnnxClassifier.class.getName(), true, OnnxSessions.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private OnnxSessions() {}

  /** A session of the model's bytes; throws {@link OnnxClassifier.ModelLoadException} with ONNX Runtime's reason when it cannot load them. */
  static OrtSession open(byte[] onnx) {
    // The environment first: ONNX Runtime crashes the JVM when session options are made before it exists.
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      return environment.createSession(onnx, options);
    } catch (OrtException e) {
      throw new OnnxClassifier.ModelLoadException(e.getMessage(), e);
    }
  }
}
