package render

import (
	"fmt"
	"strconv"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
)

var korean = words{
	states: map[alarm.State]string{alarm.StateAlarm: "경보", alarm.StateOK: "정상", alarm.StateInsufficientData: "데이터 부족"},
	state:  "상태", api: "API", stage: "스테이지", metric: "지표", dimensions: "차원",
	expression: "수식", triggeredBy: "원인 경보", region: "리전", account: "계정",
	time: "시각 (%s)", observed: "관측값", observedInline: "관측값", notification: "SNS 알림", openConsole: "CloudWatch에서 열기",
	trend: "최근 1시간", expectedAtMost: "예상 상한 %s", expectedAtLeast: "예상 하한 %s",
	trendMin: "최소", trendMax: "최대", trendThreshold: "임계값",
	runbook: "런북", dashboard: "대시보드", link: "링크",
	condition: koreanCondition,

	resolvedAfter:  "%s 만에 정상으로 돌아옴",
	openSince:      "%s부터 진행 중 (%s) · 경과는 스레드에",
	was:            "이전 %s",
	late:           "%s (%s), 늦게 도착함: 위 메시지가 더 최근 상태입니다",
	stillIn:        "%s 상태가 %s째 계속됨 (%s부터)",
	reminderFor:    "%s: %s 상태가 %s째 계속됨 (%s부터)",
	lessThanMinute: "1분 미만", minutes: "%d분", hours: "%d시간", days: "%d일", twoUnits: "%s %s",
}

// koreanCondition: "최근 5분 주기 1개 중 1개에서 Average Latency > 300 ms", "… Sum Count 예상
// 범위(표준편차 2배) 이탈", "복합 규칙: …". Metric names, statistics and labels stay as written.
func koreanCondition(a *alarm.Alarm) string {
	if a.Shape == alarm.ShapeComposite {
		if a.Rule == "" {
			return "복합 경보"
		}
		return "복합 규칙: " + a.Rule
	}
	// A metric-math alarm naming no series keeps CloudWatch's own term.
	what := measuredName(a, "metric math") + " "
	if a.Operator.Band() {
		if a.BandWidth != "" {
			what += "예상 범위(표준편차 " + a.BandWidth + "배) "
		} else {
			what += "예상 범위(" + a.BandExpression + ") "
		}
		what += koreanBands[a.Operator]
	} else {
		what += comparison(a, "임계값")
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

var koreanBands = map[alarm.Operator]string{alarm.OutsideBand: "이탈", alarm.AboveBand: "초과", alarm.BelowBand: "미만"}

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
