extension TrainingData {
  /// The data a configuration trains on: an image set found by ``DatasetLocator`` (limited by
  /// `trainLimit`/`testLimit`, normalized as configured) or a synthetic task generated from the
  /// configuration's seed (`trainLimit`/`testLimit` samples, 1000 each by default).
  public static func load(
    for configuration: TrainingConfiguration, dataDirectory: String?, verify: Bool
  ) throws(DatasetError) -> TrainingData {
    if let imageName = configuration.dataset.imageDataset {
      let images = try DatasetLocator.load(imageName, dataDirectory: dataDirectory, verify: verify)
      return TrainingData(
        images: images, normalization: configuration.normalization,
        trainLimit: configuration.trainLimit, testLimit: configuration.testLimit)
    }
    return TrainingData(
      synthetic: SyntheticTask(
        configuration.dataset, seed: configuration.seed,
        trainCount: configuration.trainLimit ?? 1000, testCount: configuration.testLimit ?? 1000))
  }
}
