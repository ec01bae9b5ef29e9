/** An AbortSignal for "the client went away before the answer was sent". */
import type { ServerResponse } from "node:http";

/**
 * Aborts when the connection closes before `res` finished. Tied to the response rather than the
 * request because Node closes a request as soon as its body has been read, long before a slow
 * handler answers.
 */
export function disconnectSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  if (res.destroyed && !res.writableFinished) controller.abort();
  else {
    res.once("close", () => {
      if (!res.writableFinished) controller.abort();
    });
  }
  return controller.signal;
}
