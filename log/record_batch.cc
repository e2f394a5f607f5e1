#include "log/record_batch.h"
