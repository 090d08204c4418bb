/// The datasets of the survey and the file layouts each is published in.
extension DatasetCatalog {
  /// The formats a layout can be in.
  public enum Format: String, Sendable {
    case idx = "IDX"
    case cifarBinary = "CIFAR binary batches"
    case imageTar = "image-folder tar"
    case imageFolder = "image folders"
    case svhnMAT = "SVHN .mat"
    case purchaseNPZPair = "Purchase .npz (train/test)"
    case purchaseNPZ = "Purchase .npz"
    case purchaseText = "Purchase text"
  }

  /// One way a dataset can lie on disk: candidate folders (relative to a search-path folder) and
  /// the files needed there, each with alternative names.
  public struct Layout: Sendable {
    public var format: Format
    public var folders: [String]
    public var files: [[String]]

    func describe() -> String {
      "\(folders.map { $0.isEmpty ? "." : $0 }.joined(separator: "|"))/{"
        + files.map { $0[0] }.joined(separator: ",") + "} (\(format.rawValue))"
    }
  }

  /// A named dataset.
  public struct Entry: Sendable {
    public var name: String
    public var title: String
    public var layouts: [Layout]
    public var howToGet: String
  }

  static func idxFiles(_ stem: String) -> [String] {
    let dotted = stem.replacingOccurrences(of: "-idx", with: ".idx")
    return [stem + ".gz", stem, dotted, dotted + ".gz"]
  }

  static let idx4 = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                     "t10k-labels-idx1-ubyte"].map(idxFiles)

  /// Fashion-MNIST's class names.
  public static let fashionClassNames = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
  ]

  /// Every dataset the catalogue knows.
  public static let entries: [Entry] = [
    Entry(name: "mnist", title: "MNIST (28×28 grey digits, 60k/10k)",
          layouts: [Layout(format: .idx, folders: ["mnist", "MNIST/raw", "MNIST", "mnist/raw"], files: idx4)],
          howToGet: "Get the four IDX files (gzipped or not) from the official MNIST distribution "
            + "(LeCun, Cortes, Burges) into a folder 'mnist' of $LETHE_DATA or the project's data/."),
    Entry(name: "fashion-mnist", title: "Fashion-MNIST (28×28 grey clothing, 60k/10k)",
          layouts: [Layout(format: .idx, folders: ["fashion-mnist", "FashionMNIST/raw", "fashion_mnist", "FashionMNIST"],
                           files: idx4)],
          howToGet: "Install Debian's package: apt-get install dataset-fashion-mnist (files go to "
            + "/usr/share/datasets/fashion-mnist), or get Zalando Research's official release."),
    Entry(name: "cifar10", title: "CIFAR-10 (32×32 RGB, 50k/10k; binary batches or JPEG folders)",
          layouts: [
            Layout(format: .cifarBinary, folders: ["cifar-10-batches-bin", "cifar10/cifar-10-batches-bin", "cifar10"],
                   files: (1...5).map { ["data_batch_\($0).bin"] } + [["test_batch.bin"]]),
            Layout(format: .imageTar, folders: ["cifar10-images", "cifar10"],
                   files: [["cifar10-images.tar.gz", "cifar10-images.tgz", "cifar10-images.tar"]]),
            Layout(format: .imageFolder, folders: ["cifar10-images", "cifar10"], files: [["train"], ["test"]]),
          ],
          howToGet: "Get the binary version (cifar-10-binary.tar.gz) from the official CIFAR page "
            + "(Krizhevsky) and unpack it into $LETHE_DATA, or put a tar of train/<class>/*.jpg and "
            + "test/<class>/*.jpg at cifar10-images/cifar10-images.tar.gz."),
    Entry(name: "cifar100", title: "CIFAR-100 (32×32 RGB, 50k/10k, fine labels)",
          layouts: [Layout(format: .cifarBinary, folders: ["cifar-100-binary", "cifar100/cifar-100-binary", "cifar100"],
                           files: [["train.bin"], ["test.bin"]])],
          howToGet: "Get the binary version (cifar-100-binary.tar.gz) from the official CIFAR page and unpack it "
            + "into $LETHE_DATA."),
    Entry(name: "svhn", title: "SVHN cropped digits (32×32 RGB, 73k/26k)",
          layouts: [Layout(format: .svhnMAT, folders: ["svhn", "SVHN"],
                           files: [["train_32x32.mat"], ["test_32x32.mat"]])],
          howToGet: "Get train_32x32.mat and test_32x32.mat (format 2) from the official SVHN page "
            + "(Netzer et al.) into a folder 'svhn' of $LETHE_DATA."),
    Entry(name: "purchase", title: "Purchase (600 binary features; Purchase-100)",
          layouts: [
            Layout(format: .purchaseNPZPair, folders: ["purchase", "purchase100"],
                   files: [["purchase_train.npz"], ["purchase_test.npz"]]),
            Layout(format: .purchaseNPZ, folders: ["purchase", "purchase100"], files: [["purchase.npz", "purchase100.npz"]]),
            Layout(format: .purchaseText, folders: ["purchase", "purchase100"],
                   files: [["dataset_purchase", "dataset_purchase.txt", "purchase.txt", "dataset_purchase.gz"]]),
          ],
          howToGet: "Get the privacy-research Purchase file (dataset_purchase, from Shokri et al.'s "
            + "membership-inference release) or a purchase100.npz into a folder 'purchase' of $LETHE_DATA; "
            + "'purchase-synthetic' is a generated stand-in."),
    Entry(name: "purchase-synthetic", title: "Purchase-like SYNTHETIC data (600 bits, K prototypes + bit flips)",
          layouts: [], howToGet: "Always available (generated)."),
    Entry(name: "imagenet-subset", title: "ImageNet subset as image folders (e.g. Imagenette)",
          layouts: [
            Layout(format: .imageFolder, folders: ["", "imagenette2-160", "imagenette2-320", "imagenette2",
                                                   "imagenette", "imagenet-subset"],
                   files: [["train"], ["val", "test"]])
          ],
          howToGet: "Point $LETHE_IMAGENET_SUBSET at a folder with train/<class>/ and val/<class>/ images "
            + "(e.g. the Imagenette release), or put it at imagenet-subset/ in $LETHE_DATA."),
  ]
}
