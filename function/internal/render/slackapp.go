package render

// The slack-app messenger posts the Slack payload above through Slack's Web API (chat.postMessage,
// chat.update) with a bot token; its reading of the Web API's answers is slackapi.Judge, next to
// Slack's error table (JudgeFor).
