#pragma once

#include <QString>

#include <optional>
#include <utility>
#include <variant>

namespace lifeboat {

/// An error that says what failed, on which object, and what to do next.
struct Error
{
    QString message;
};

/// A value or an Error. The core returns these; only the UI decides how to show an error.
template<typename T>
class Result
{
public:
    Result(T value)
        : m_data(std::move(value))
    {}
    Result(Error error)
        : m_data(std::move(error))
    {}

    bool ok() const { return std::holds_alternative<T>(m_data); }
    explicit operator bool() const { return ok(); }

    const T &value() const & { return std::get<T>(m_data); }
    T &value() & { return std::get<T>(m_data); }
    T &&value() && { return std::get<T>(std::move(m_data)); }
    const T *operator->() const { return &std::get<T>(m_data); }
    const T &operator*() const & { return value(); }

    QString error() const { return ok() ? QString() : std::get<Error>(m_data).message; }

private:
    std::variant<T, Error> m_data;
};

/// For operations that return nothing but may fail.
struct Done
{};
using Status = Result<Done>;

inline Status success()
{
    return Done{};
}

} // namespace lifeboat
