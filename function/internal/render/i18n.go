package render

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
)

// Language is the language of a message's own words. CloudWatch's reason text and the alarm's
// name and description stay as they were written.
type Language string

// The supported languages.
const (
	English Language = "en"
	Korean  Language = "ko"
)

// ParseLanguage reads LANGUAGE; "" means English.
func ParseLanguage(s string) (Language, error) {
	switch l := Language(strings.ToLower(strings.TrimSpace(s))); l {
	case "", English:
		return English, nil
	case Korean:
		return Korean, nil
	default:
		return "", fmt.Errorf("unknown language %q: use en or ko", s)
	}
}

// words are a language's labels.
type words struct {
	states                                   map[alarm.State]string
	state, api, stage, metric, dimensions    string
	expression, triggeredBy, region, account string
	time                                     string // "Time (%s)"
	observed, observedInline, notification   string
	openConsole, trend                       string
	expectedAtMost, expectedAtLeast          string // "expected at most %s"
	trendMin, trendMax, trendThreshold       string
	runbook, dashboard, link                 string
	condition                                func(a *alarm.Alarm) string
}

var languages = map[Language]*words{
	English: {
		states: map[alarm.State]string{alarm.StateAlarm: "ALARM", alarm.StateOK: "OK", alarm.StateInsufficientData: "INSUFFICIENT_DATA"},
		state:  "State", api: "API", stage: "Stage", metric: "Metric", dimensions: "Dimensions",
		expression: "Expression", triggeredBy: "Triggered by", region: "Region", account: "Account",
		time: "Time (%s)", observed: "Observed", observedInline: "observed", notification: "SNS notification", openConsole: "Open in CloudWatch",
		trend: "Last hour", expectedAtMost: "expected at most %s", expectedAtLeast: "expected at least %s",
		trendMin: "min", trendMax: "max", trendThreshold: "threshold",
		runbook: "Runbook", dashboard: "Dashboard", link: "Link",
		condition: func(a *alarm.Alarm) string { return a.Condition },
	},
	Korean: {
		states: map[alarm.State]string{alarm.StateAlarm: "경보", alarm.StateOK: "정상", alarm.StateInsufficientData: "데이터 부족"},
		state:  "상태", api: "API", stage: "스테이지", metric: "지표", dimensions: "차원",
		expression: "수식", triggeredBy: "원인 경보", region: "리전", account: "계정",
		time: "시각 (%s)", observed: "관측값", observedInline: "관측값", notification: "SNS 알림", openConsole: "CloudWatch에서 열기",
		trend: "최근 1시간", expectedAtMost: "예상 상한 %s", expectedAtLeast: "예상 하한 %s",
		trendMin: "최소", trendMax: "최대", trendThreshold: "임계값",
		runbook: "런북", dashboard: "대시보드", link: "링크",
		condition: koreanCondition,
	},
}

func wordsFor(l Language) *words {
	if w, ok := languages[l]; ok {
		return w
	}
	return languages[English]
}

// koreanCondition: "최근 5분 주기 1개 중 1개에서 Average Latency > 300 ms".
func koreanCondition(a *alarm.Alarm) string {
	if a.Kind == alarm.KindComposite {
		if a.Rule == "" {
			return "복합 경보"
		}
		return "복합 규칙: " + a.Rule
	}
	what := a.Subject + " " + strings.Replace(a.Comparison, "its threshold", "임계값", 1)
	if a.Band != "" {
		band := "예상 범위(표준편차 " + a.BandWidth + "배)"
		if a.BandWidth == "" {
			band = "예상 범위(" + a.BandExpression + ")"
		}
		what = a.Subject + " " + band + " " + map[string]string{"outside": "이탈", "above": "초과", "below": "미만"}[a.Band]
	}
	w := a.Window
	switch {
	case w.Evaluations > 0 && w.Period > 0:
		return fmt.Sprintf("최근 %s 주기 %d개 중 %d개에서 %s", koreanDuration(w.Period), w.Evaluations, w.Datapoints, what)
	case w.Evaluations > 0:
		return fmt.Sprintf("최근 주기 %d개 중 %d개에서 %s", w.Evaluations, w.Datapoints, what)
	case w.Period > 0:
		return fmt.Sprintf("%s 동안 %s", koreanDuration(w.Period), what)
	}
	return what
}

// koreanDuration: "10초", "5분", "1시간", "1일".
func koreanDuration(seconds int64) string {
	for _, u := range []struct {
		size int64
		name string
	}{{86400, "일"}, {3600, "시간"}, {60, "분"}, {1, "초"}} {
		if seconds%u.size == 0 {
			return strconv.FormatInt(seconds/u.size, 10) + u.name
		}
	}
	return strconv.FormatInt(seconds, 10) + "초"
}
