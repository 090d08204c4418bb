// LIBSVM (Chang & Lin), Debian's libsvm-dev: the support-vector classifier scikit-learn's SVC wraps,
// used by Core's membership-inference attack (`mia_classifier = "svc"`).
#include <libsvm/svm.h>
