// The web console's static files (console/), compiled into the binary by
// console/embed.cmake: nothing is read from disk or fetched at run time.
#pragma once

#include <string_view>

namespace sluice::server {

struct ConsoleAsset {
  std::string_view name;          // e.g. "index.html", "app.js"
  std::string_view content_type;  // e.g. "text/html; charset=utf-8"
  std::string_view body;
};

// The file of that name, or null.
const ConsoleAsset* FindConsoleAsset(std::string_view name);

}  // namespace sluice::server
