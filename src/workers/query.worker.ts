/**
 * Query worker: answers one question per task (core does the work), streaming hits and tokens
 * back through the MessagePort that travels in the task's transferList. Several questions share a
 * thread, since answering mostly waits on the model.
 */
import { runQuery, type QueryTask } from '../core/app/query'

export default function answerQuestionTask(task: QueryTask): Promise<void> {
  return runQuery(task)
}
