// "Did you mean" suggestions for misspelt keys, kinds and node names: the
// expression language's implementation (operators/expr/suggest.h), so that
// the job parser, the server configuration and the expression compiler
// suggest alike.
#pragma once

#include "operators/expr/suggest.h"

namespace sluice::runtime {

using expr::ClosestMatch;
using expr::DidYouMean;
using expr::EditDistance;

}  // namespace sluice::runtime
